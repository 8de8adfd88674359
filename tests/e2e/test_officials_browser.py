"""The review procedure as officials do it, in headless Chromium: the officer signs in, starts
the review and assigns the village head; the head verifies on a phone (360×740) and records the
village meeting; the officer posts the results; the chair decides; the certificate shows its
number and QR code, whose address says the certificate is genuine. Then axe-core on the main
pages. Set GIAMNGHEO_SCREENSHOTS to a folder to keep a picture of each page."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from node.extensions import db
from node.services import accounts
from tests.builders import application_request
from tests.e2e.conftest import AXE, PHONE
from tests.e2e.test_portal_browser import axe_violations, choose

COMMUNE = "00382"  # Xã Kim Anh, Hà Nội: rural, used by no other browser test
PASSWORD = "mật khẩu thật dài"
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("GIAMNGHEO_SCREENSHOTS")


@pytest.fixture
def new_page(browser, node_server) -> Iterator[Callable[..., Page]]:
    """Pages in fresh Vietnamese browser contexts on the served node, a phone's size unless
    told otherwise (the portal's fixture only makes phones); closed afterwards."""
    contexts = []

    def make(viewport=PHONE, **options) -> Page:
        context = browser.new_context(
            base_url=node_server.url, viewport=viewport, locale="vi-VN", **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page: Page, name: str) -> None:
    """Keep a full-page picture when GIAMNGHEO_SCREENSHOTS names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def commune_team(node_server):
    """A village of the commune and its officer, chair and village head."""
    village = node_server.add_village(COMMUNE, "Thôn Đoài")
    with node_server.app.app_context():
        for username, role, units in (
            ("canbo.kimanh", "commune_officer", [COMMUNE]),
            ("chutich.kimanh", "commune_chair", [COMMUNE]),
            ("truongthon.doai", "village_head", [village]),
            ("quantri.hanoi", "province_admin", []),
        ):
            accounts.create_user(db.session, username, PASSWORD, role, units, "01",
                                 full_name=username.split(".")[0].title())  # fmt: skip
        db.session.commit()
    return village


def submit_application(node_server, village: str) -> str:
    """A resident's application through the public API; its tracking code."""
    body = application_request(commune_code=COMMUNE, village_code=village)
    body["household"]["period"] = 2026
    body["applicant"] = {"full_name": "Hoàng Văn Nam", "citizen_id": "001080077777",
                         "phone": "0987654321"}  # fmt: skip
    request = urllib.request.Request(
        f"{node_server.url}/api/v1/applications",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": "officials-e2e-0001"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # only 127.0.0.1
        return json.load(answer)["tracking_code"]


def sign_in(page: Page, username: str) -> None:
    page.goto("/officials/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Việc cần làm")


@contextmanager
def on_day(node_server, day: date) -> Iterator[None]:
    """The node's clock on ``day`` (10:00 in Vietnam) for a while; as it was afterwards."""
    config = node_server.app.config
    before = config["FIXED_NOW"]
    config["FIXED_NOW"] = datetime.combine(day, time(3), tzinfo=UTC)
    try:
        yield
    finally:
        config["FIXED_NOW"] = before


def test_the_whole_procedure_as_officials_do_it(new_page, node_server, commune_team):
    submit_application(node_server, commune_team)

    # The commune officer, at a desk: starts the review and assigns the village head.
    # The review started and the household was verified last week (Monday 16 November); the
    # meeting, the posting and the decision are entered today (NOW, 28 November).
    officer = new_page(DESKTOP)
    sign_in(officer, "canbo.kimanh")
    last_week = on_day(node_server, date(2026, 11, 16))
    shot(officer, "01-officer-worklist")
    officer.get_by_role("link", name="Hoàng Văn Nam").click()
    expect(officer.locator("h1")).to_have_text("Hoàng Văn Nam")
    officer.get_by_label("Trưởng thôn thẩm định").select_option(label="Truongthon · Trưởng thôn")
    shot(officer, "02-officer-file")
    with last_week:
        officer.get_by_role("button", name="Bắt đầu rà soát").click()
        expect(officer.locator(".notice--success")).to_have_text("Đã bắt đầu rà soát.")
    file_url = officer.url

    # The village head, on a phone: verifies at the household.
    head = new_page()
    sign_in(head, "truongthon.doai")
    last_week = on_day(node_server, date(2026, 11, 16))
    last_week.__enter__()
    shot(head, "03-head-worklist-phone")
    head.get_by_role("link", name="Hoàng Văn Nam").click()
    head.get_by_role("link", name="Thẩm định hộ").click()
    expect(head.locator("h1")).to_contain_text("Thẩm định hộ")
    head.locator("#f-identities-0-ethnicity").fill("Tày")
    choose(head, "water.source", "surface_water")
    choose(head, "sanitation.latrine", "none")
    head.locator('label[for="f-housing-walls-durable-no"]').click()
    head.locator('label[for="f-housing-roof-durable-no"]').click()
    head.locator("#f-address").fill("Số 12, xóm Đoài")
    shot(head, "04-head-verification-form-phone")
    head.get_by_role("button", name="Ghi nhận kết quả thẩm định").click()
    expect(head.locator(".notice--success")).to_contain_text("Đã ghi nhận kết quả thẩm định.")
    expect(head.locator("table.compare").first).to_contain_text("Hộ nghèo")
    assert head.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    shot(head, "05-head-file-after-verification-phone")
    last_week.__exit__(None, None, None)

    # The village meeting (held on Wednesday 18th), recorded by the head.
    head.get_by_role("link", name="Ghi nhận họp dân").click()
    head.get_by_label("Ngày họp").fill("2026-11-18")
    head.get_by_label("Số người dự họp").fill("12")
    head.get_by_label("Người chủ trì").fill("Hoàng Văn Tư")
    head.get_by_label("Số người đồng ý").fill("9")
    shot(head, "06-head-meeting-phone")
    # As a phone user closes the keyboard before tapping: headless Chromium otherwise scrolls
    # the page while the number field loses focus, and the tap lands beside the button.
    head.get_by_label("Số người đồng ý").blur()
    head.get_by_role("button", name="Ghi nhận cuộc họp").click()
    expect(head.locator(".paper-title").first).to_have_text("BIÊN BẢN HỌP DÂN")
    expect(head.locator(".paper")).to_have_count(2)
    shot(head, "07-minutes")

    # The officer posts the results (the posting ran last week) and prints the list.
    officer.goto(file_url)
    officer.get_by_role("link", name="Niêm yết công khai kết quả").click()
    officer.get_by_label("Niêm yết từ ngày").fill("2026-11-18")  # to Monday 23rd
    officer.get_by_role("button", name="Niêm yết và in danh sách").click()
    expect(officer.locator(".paper-title")).to_have_text("NIÊM YẾT CÔNG KHAI")
    expect(officer.locator(".paper")).not_to_contain_text("001080077777")
    shot(officer, "08-posting-list")

    # The chair decides.
    chair = new_page(DESKTOP)
    sign_in(chair, "chutich.kimanh")
    chair.get_by_role("link", name="Quyết định", exact=True).click()
    chair.get_by_label("Số quyết định").fill("45/QĐ-UBND")
    chair.locator('label[for$="-recognised"]').first.click()
    shot(chair, "09-decision")
    chair.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(chair.locator("h1")).to_have_text("Quyết định 45/QĐ-UBND")
    chair.get_by_role("link", name="1/GCN-HN.HCN").click()

    # The certificate, and the public check its QR code opens.
    expect(chair.locator(".certificate-number")).to_contain_text("1/GCN-HN.HCN")
    expect(chair.locator(".certificate-qr svg")).to_have_count(1)
    expect(chair.locator("#certificate")).to_contain_text("Hoàng Văn Nam")
    shot(chair, "10-certificate")
    chair.emulate_media(media="print")
    shot(chair, "11-certificate-print")
    chair.emulate_media(media="screen")
    verify_url = chair.locator(".qr-url").inner_text()
    assert re.fullmatch(rf"{re.escape(node_server.url)}/certificates/verify/[\w-]+", verify_url)
    public = new_page()
    public.goto(verify_url)
    expect(public.locator("#verdict")).to_contain_text("Đúng và còn hiệu lực")
    expect(public.locator("main")).not_to_contain_text("Hoàng Văn Nam")
    shot(public, "12-public-check-phone")


def test_the_officials_pages_pass_axe(new_page, node_server, commune_team):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make install does)")
    problems: list[str] = []
    desk = new_page(DESKTOP, bypass_csp=True)

    def check(page: Page, path: str | None = None) -> None:
        if path is not None:
            page.goto(path)
        problems.extend(axe_violations(page))

    check(desk, "/officials/login")
    desk.get_by_role("button", name="Đăng nhập").click()  # the error message
    check(desk)
    sign_in(desk, "canbo.kimanh")
    check(desk)
    check(desk, "/officials/applications")
    desk.get_by_role("link", name="Hoàng Văn Nam").first.click()
    check(desk)
    check(desk, "/officials/postings/new")
    check(desk, "/officials/meetings/new")
    check(desk, "/officials/reports?form=R1")
    check(desk, "/officials/reports?form=R5")
    check(desk, "/officials/reports/monthly?month=2026-08")
    check(desk, "/officials/reports/annual")
    check(desk, "/officials/lists/average-livelihood")
    check(desk, "/officials/lists/low-income-workers")
    check(desk, "/officials/periodic")
    check(desk, "/officials/account")
    # The household the procedure test recognised (it runs first in this module).
    desk.goto("/officials/applications?status=decided")
    desk.get_by_role("link", name="Hoàng Văn Nam").first.click()
    desk.get_by_role("link", name="Giấy chứng nhận (Mẫu số 03)").click()
    check(desk)
    code = desk.locator(".qr-url").inner_text().rsplit("/", 1)[1]
    check(desk, f"/certificates/verify/{code}")
    check(desk, "/certificates/verify/not-a-code")

    phone = new_page(bypass_csp=True)
    sign_in(phone, "truongthon.doai")
    check(phone)
    check(phone, "/officials/meetings/new")

    admin = new_page(DESKTOP, bypass_csp=True)
    sign_in(admin, "quantri.hanoi")
    for path in (
        "/admin/users",
        "/admin/users/new",
        f"/admin/villages?commune={COMMUNE}",
        "/admin/households",
        "/admin/holidays",
        "/admin/procedure",
        "/admin/periods",
        "/admin/audit?check=1",
    ):
        check(admin, path)
        shot(admin, "admin-" + path.split("/")[2].split("?")[0])

    assert problems == [], "\n".join(problems)
