"""The questionnaire read on a 360 px phone (issue 19 §2): every answer's label and its short
description are on screen, inside the screen's width; the water and latrine types are never a
bare drop-down; the consent shows four points and opens to the full text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_portal_browser import COMMUNE
from tests.e2e.test_portal_outage import fill_by_name
from tests.node.portal_helpers import household_form

CATALOG = json.loads(
    (Path(__file__).resolve().parents[2] / "shared/standards/data/facts.json").read_text("utf-8")
)


@pytest.fixture(scope="module")
def hamlet(node_server) -> str:
    """A village of the commune of this module's own."""
    return node_server.add_village(COMMUNE, "Bản Nà Tăm")


def plain_form(new_context, hamlet: str, people: int = 1) -> Page:
    """The declaration without the script: every question on one page, on a 360 px phone."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"/declare?kind=enter&commune={COMMUNE}&village={hamlet}&people={people}")
    return page


def described_options() -> dict[str, dict[str, dict]]:
    """Field → option → its catalogue entry, for the enum facts whose options carry a hint."""
    out = {}
    for section, prefix in (("fields", ""), ("member_fields", "members.0.")):
        for name, spec in CATALOG[section].items():
            options = spec.get("options", {})
            if any("hint" in option for option in options.values()):
                out[prefix + name] = options
    return out


def on_screen(page: Page, selector: str) -> list[str]:
    """What about each element matching ``selector`` keeps it from being read on the phone."""
    return page.eval_on_selector_all(
        selector,
        """(nodes, width) => nodes.flatMap(node => {
            const box = node.getBoundingClientRect(), style = getComputedStyle(node);
            const text = node.textContent.trim().slice(0, 40);
            const problems = [];
            if (box.width === 0 || box.height === 0 || style.visibility === "hidden")
                problems.push(`${text}: not shown`);
            if (box.left < 0 || box.right > width) problems.push(`${text}: outside 0–${width} px`);
            if (node.scrollWidth > node.clientWidth + 1) problems.push(`${text}: cut off`);
            return problems;
        })""",
        PHONE["width"],
    )


def test_every_option_and_its_description_is_visible_at_360_px(new_context, hamlet):
    page = plain_form(new_context, hamlet)

    fields = described_options()
    assert {"water.source", "sanitation.latrine", "members.0.education_level"} <= fields.keys()
    problems = []
    for name, options in fields.items():
        group = page.locator(f'#declaration fieldset:has(input[name="{name}"])')
        assert page.locator(f'#declaration select[name="{name}"]').count() == 0, name
        for value, option in options.items():
            radio = group.locator(f'input[value="{value}"]')
            label = group.locator(f'label[for="{radio.get_attribute("id")}"]')
            expect(label).to_be_visible()
            expect(label).to_contain_text(option["vi"])
            if "hint" in option:
                hint = label.locator(".choice-hint")
                expect(hint).to_be_visible()
                expect(hint).to_have_text(option["hint"]["vi"])
        problems += on_screen(page, f'#declaration fieldset:has(input[name="{name}"]) label')
    # Every question's own description too.
    problems += on_screen(page, "#declaration .hint")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == [], "\n".join(problems)


def test_the_consent_is_four_points_and_the_full_text_one_tap_away(new_context, hamlet):
    page = plain_form(new_context, hamlet, people=2)
    fill_by_name(page, household_form(commune=COMMUNE, village=hamlet))
    page.get_by_role("button", name="Xem kết quả tự đánh giá").click()

    points = page.locator("#consent-points li")
    expect(points).to_have_count(4)
    for index in range(4):
        expect(points.nth(index)).to_be_visible()
    full = page.locator("#consent-text")
    expect(full).to_be_hidden()
    page.get_by_text("Đọc toàn văn").click()
    expect(full).to_be_visible()
    expect(full).to_contain_text("Quyết định số 24/2021/QĐ-TTg")
    assert on_screen(page, "#consent-points li, #consent-text") == []
