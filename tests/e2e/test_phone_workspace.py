"""Issue 15 parts 5-7 on a 360 px phone: the officials' navigation is one row (a menu button)
until opened, the list's rows are cards, the file page starts with its summary, the search finds
a file by code, ID number and unaccented name without putting them in the address, and the paper
intake opens in the officials' layout with the officer's commune."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from node.extensions import db
from node.services import accounts
from tests.builders import application_request
from tests.e2e.conftest import PHONE
from tests.e2e.test_portal_browser import axe_violations

COMMUNE = "00484"  # Xã Thư Lâm, Hà Nội: no other browser test uses it
PASSWORD = "mật khẩu thật dài"


@pytest.fixture(scope="module")
def desk(node_server):
    """A village of the commune, its officer, and one application (its tracking code)."""
    village = node_server.add_village(COMMUNE, "Thôn Thượng")
    with node_server.app.app_context():
        accounts.create_user(db.session, "canbo.desk", PASSWORD, "commune_officer", [COMMUNE],
                             "01", full_name="Cán bộ")  # fmt: skip
        db.session.commit()
    body = application_request(commune_code=COMMUNE, village_code=village)
    body["applicant"] = {"full_name": "Nguyễn Văn Đức", "citizen_id": "001080066666",
                         "phone": "0987650000"}  # fmt: skip
    request = urllib.request.Request(
        f"{node_server.url}/api/v1/applications",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": "desk-e2e-00001"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # only 127.0.0.1
        return json.load(answer)["tracking_code"]


@pytest.fixture
def phone(browser, node_server):
    # CSP bypassed only so axe-core can be added to the page.
    context = browser.new_context(
        base_url=node_server.url, viewport=PHONE, locale="vi-VN", bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/officials/login")
    page.get_by_label("Tên đăng nhập").fill("canbo.desk")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Việc cần làm")
    yield page
    context.close()


def search(page: Page, text: str) -> None:
    page.get_by_role("searchbox", name="Tìm hồ sơ").fill(text)
    page.get_by_role("button", name="Tìm", exact=True).click()


def test_the_workspace_on_a_phone(phone, desk):
    nav = phone.locator(".workspace-nav")
    menu = phone.locator(".menu-button")
    # One row: the menu button alone, the links folded away, nothing wider than the screen.
    expect(menu).to_be_visible()
    expect(nav.get_by_role("link", name="Hồ sơ", exact=True)).to_be_hidden()
    assert nav.bounding_box()["height"] <= menu.bounding_box()["height"] + 24
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    problems = axe_violations(phone)
    menu.click()
    expect(nav.get_by_role("link", name="Hồ sơ", exact=True)).to_be_visible()
    problems += axe_violations(phone)
    expect(nav.get_by_role("link", name="Nhận hồ sơ giấy")).to_be_visible()
    nav.get_by_role("link", name="Hồ sơ", exact=True).click()

    # The list: cards, each field named.
    row = phone.locator("table.cards tbody tr").first
    expect(row).to_be_visible()
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    expect(row.locator("td[data-label='Tình trạng']")).to_be_visible()

    # Search by unaccented name, by ID number, by the code as printed: the address never
    # carries what was typed.
    printed = f"{desk[:4]}-{desk[4:8]}-{desk[8:]}".lower()
    for typed in ("nguyen van duc", "001080066666", printed):
        search(phone, typed)
        expect(phone.locator("table.cards tbody tr")).to_have_count(1)
        expect(phone.locator("table.cards")).to_contain_text("Nguyễn Văn Đức")
        assert phone.url.endswith("/officials/applications"), phone.url
    search(phone, "tran thi lan")
    expect(phone.locator("main")).to_contain_text("Không có hồ sơ nào trong địa bàn của bạn")

    # The file page starts with its summary, on the first screen.
    search(phone, "nguyen van duc")
    phone.locator("table.cards").get_by_role("link", name="Nguyễn Văn Đức").click()
    expect(phone.locator("h1")).to_have_text("Nguyễn Văn Đức")
    first = phone.locator("main section.panel").first
    expect(first).to_have_attribute("id", "summary")
    assert first.bounding_box()["y"] < PHONE["height"] / 2
    expect(first).to_contain_text("Tóm tắt")
    expect(first).to_contain_text("Kết quả tự đánh giá")
    expect(first.locator('a[href="#history"]')).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    problems += axe_violations(phone)
    assert problems == [], "\n".join(problems)


def test_the_paper_intake_on_a_phone(phone, desk, node_server):
    phone.locator(".menu-button").click()
    phone.locator(".workspace-nav").get_by_role("link", name="Nhận hồ sơ giấy").click()
    expect(phone.locator("h1")).to_have_text("Nhận hồ sơ giấy")
    expect(phone.locator(".workspace-nav")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("thay cho hộ gia đình")
    # The script's wizard runs in the officials' layout, the officer's commune chosen.
    expect(phone.locator("#progress")).to_contain_text("Bước 1/")
    expect(phone.locator("#f-commune")).to_have_value(COMMUNE)
    assert axe_violations(phone) == []
