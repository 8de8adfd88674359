"""A resident on a phone asks the commune to identify the household as one with an average
living standard (issue 14 §1): the home page offers the request, the declaration names its
form and procedure, and the request reaches the commune as kind `average`."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_portal_browser import (
    choose,
    fill_applicant,
    fill_head,
    next_step,
    receipt_code,
)

# Another village of the same commune than the portal's tests, so both modules may run.
VILLAGE = "Thôn Thanh Xuân"


@pytest.fixture(scope="module")
def village(node_server) -> str:
    return node_server.add_village("00376", VILLAGE)


def fill_place(page: Page) -> None:
    """The commune found by typing, the module's village, one person."""
    page.get_by_label("Tìm trong danh sách").press_sequentially("soc son")
    expect(page.locator("#f-commune")).to_have_value("00376")
    page.locator("#f-village").select_option(label=VILLAGE)
    page.get_by_label("Số người trong hộ").fill("1")
    next_step(page, "Thành viên thứ 1")


def test_a_resident_chooses_the_average_living_standard_request(page, node_server, village):
    before = len(node_server.applications())
    page.goto("/")
    assert page.viewport_size == PHONE
    page.get_by_role("link", name=re.compile("Đề nghị xác định hộ có mức sống trung bình")).click()

    expect(page).to_have_url(re.compile(r"kind=average"))
    expect(page.locator(".kicker")).to_contain_text("Mẫu số 01 Phụ lục Quyết định 24/2021/QĐ-TTg")
    expect(page.locator("h1")).to_have_text("Đề nghị xác định hộ có mức sống trung bình")
    expect(page.locator(".intro")).to_contain_text("05 ngày làm việc")
    # At phone width nothing runs off the side of the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    fill_place(page)
    fill_head(page)
    next_step(page, "Thu nhập")
    page.get_by_label("Số tiền (đồng)").press_sequentially("2.500.000")
    next_step(page, "Nhà ở")
    page.get_by_label("Nhà đang ở rộng tổng cộng bao nhiêu mét vuông?").press_sequentially("40")
    for part in ("walls_durable", "columns_durable", "roof_durable"):
        choose(page, f"housing.{part}", "yes")
    next_step(page, "Nước sinh hoạt và vệ sinh")
    choose(page, "water.source", "piped")
    choose(page, "sanitation.latrine", "septic")
    next_step(page, "Thông tin và môi trường")
    choose(page, "information.uses_telecom", "yes")
    choose(page, "information.uses_internet", "yes")
    choose(page, "information.has_information_device", "yes")
    choose(page, "waste.collected_or_treated", "yes")
    next_step(page, "Nguồn thu nhập chính")
    choose(page, "main_income_source", "fishery")
    next_step(page, "Kết quả tự đánh giá")
    next_step(page, "Gửi hồ sơ đến UBND xã")
    fill_applicant(page)
    page.get_by_role("button", name="Gửi hồ sơ").click()

    code = receipt_code(page)
    expect(page.locator("main")).to_contain_text("mức sống trung bình")
    after = node_server.applications()
    assert len(after) == before + 1
    assert (after[-1].tracking_code, after[-1].kind) == (code, "average")
    assert after[-1].declared_facts["main_income_source"] == "fishery"
    assert page.evaluate("localStorage.getItem('giamngheo:draft:average')") is None
