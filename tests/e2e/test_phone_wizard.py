"""Issue 15 part 8 on a 360 px phone: the declaration's errors are summarised at the top of the
step and the first one takes the focus, clear of the sticky button bar; the step counter does not
jump; the result leads with the class and what to do next, the later standard folded away."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_portal_browser import COMMUNE, choose, fill_child, fill_rest

VILLAGE = "Thôn Tây Sơn"


@pytest.fixture(scope="module")
def western_village(node_server) -> str:
    return node_server.add_village(COMMUNE, VILLAGE)


def counter(page: Page) -> str:
    """The "Bước n/total" part of the progress line."""
    return page.locator("#progress").inner_text().split(" · ")[0]


def tap_next(page: Page) -> None:
    page.get_by_role("button", name="Tiếp tục").click()


def test_errors_step_counter_and_result_on_a_phone(page, western_village):
    page.goto("/declare")
    expect(page.locator("#progress")).to_contain_text("Bước 1/")
    before = counter(page)
    page.get_by_label("Tìm trong danh sách").press_sequentially("soc son")
    page.locator("#f-village").select_option(label=VILLAGE)
    page.get_by_label("Số người trong hộ").fill("2")
    tap_next(page)
    expect(page.locator("#progress")).to_contain_text("Thành viên thứ 1")
    total = before.split("/")[1]
    # Two members, counted as one step: the total is what it was before the count was given.
    assert counter(page) == f"Bước 2/{total}"

    # Everything about the head but the last question, far down the step.
    page.locator("#f-members-0-relation").select_option("head")
    choose(page, "members.0.sex", "male")
    page.locator("#f-members-0-birth-date").fill("1980-05-02")
    choose(page, "members.0.employment", "unemployed")
    choose(page, "members.0.has_health_insurance", "no")
    choose(page, "members.0.disability", "no")
    choose(page, "members.0.in_school", "no")
    choose(page, "members.0.education_level", "primary")
    page.evaluate("window.scrollTo(0, 0)")
    tap_next(page)

    summary = page.locator("#step-member-0 .step-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Vui lòng nhập thông tin này.")
    first_field = page.locator("#step-member-0 .field").first
    assert summary.bounding_box()["y"] < first_field.bounding_box()["y"]
    focused = page.evaluate(
        """() => {
            const input = document.activeElement, question = input.closest('.field');
            const box = question.getBoundingClientRect();
            const bar = document.getElementById('wizard-nav').getBoundingClientRect();
            return {name: input.name, top: box.top, bottom: box.bottom, bar: bar.top,
                    invalid: input.getAttribute('aria-invalid')};
        }"""
    )
    assert focused["name"] == "members.0.in_training"
    assert focused["invalid"] == "true"
    assert focused["top"] >= 0
    assert focused["bottom"] <= focused["bar"], focused
    # The summary's link takes the focus to the field as well.
    page.evaluate("window.scrollTo(0, 0)")
    summary.get_by_role("link").first.click()
    expect(page.locator('input[name="members.0.in_training"]').first).to_be_focused()

    choose(page, "members.0.in_training", "no")
    expect(summary).to_be_hidden()
    tap_next(page)
    expect(page.locator("#progress")).to_contain_text("Thành viên thứ 2")
    assert counter(page) == f"Bước 2/{total}"
    fill_child(page)
    tap_next(page)
    expect(page.locator("#progress")).to_contain_text("Thu nhập")
    assert counter(page) == f"Bước 3/{total}"
    fill_rest(page)

    # The result: the class, then what to do next, then how; the later standard folded away.
    primary = page.locator("#results section.result").first
    order = primary.evaluate(
        "s => Array.from(s.children).map(c => c.className || c.tagName.toLowerCase())"
    )
    assert order.index("verdict") < order.index("next-step") < order.index("figures")
    expect(primary.locator(".badge")).to_be_in_viewport()
    later = page.locator("#results details.result--later")
    expect(later).to_have_count(1)
    expect(later.locator("summary")).to_contain_text("2027–2030")
    expect(later.locator(".figures")).to_be_hidden()
    later.locator("summary").click()
    expect(later.locator(".figures")).to_be_visible()
