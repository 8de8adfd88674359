"""The central office's pages in headless Chromium, at a phone's width (360 px) and a desktop's:
the national page with its map, a province (sorting, hiding empty communes) and a commune, the
trends from the published results, the new standard's impact, deprivation by region, the
year-close tracker, the signals and open data — each read without sideways scrolling of the page
and passing axe-core. Set GIAMNGHEO_SCREENSHOTS to a folder to keep a picture of each page."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from hub import create_app
from hub.config import TestConfig
from hub.extensions import db
from hub.services import accounts
from hub.services.pulls import store_snapshot
from shared.schemas import ACTIVITY_FIELDS, snapshot_id_of
from shared.web.database import upgrade_database
from tests.e2e.conftest import AXE, PHONE
from tests.e2e.test_portal_browser import axe_violations
from tests.hub.fakenode import make_snapshot

DESKTOP = {"width": 1366, "height": 900}
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
PASSWORD = "mật khẩu thật dài"
SHOTS = os.environ.get("GIAMNGHEO_SCREENSHOTS")
OFFICIAL = {"decision_number": "2468/QĐ-UBND", "decided_on": "2026-11-20", "revision": 1}
PAGES = (
    "/dashboard/?period=2026",
    "/dashboard/?period=2023",
    "/dashboard/provinces/01?period=2026&sort=poor_rate&dir=desc&hide_empty=1",
    "/dashboard/communes/00004",
    "/dashboard/trends",
    "/dashboard/trends?province=12",
    "/dashboard/impact?period=2026",
    "/dashboard/impact?period=2026&province=01",
    "/dashboard/deprivation?period=2026",
    "/dashboard/tracker?period=2026",
    "/dashboard/signals?period=2026",
    "/dashboard/freshness",
    "/open-data/?period=2026",
    "/open-data/?period=2024",
    "/open-data/provinces-2025",
)


def planted() -> dict:
    """Hà Nội's 2026 snapshot with a commune of each signal."""
    snapshot = make_snapshot("01", 2026, communes=6, activity=dict.fromkeys(ACTIVITY_FIELDS, 0))
    rows = snapshot["rows"]
    rows[0]["poor"] = rows[0]["households_total"] // 4
    rows[1]["activity"].update(meeting_votes=15, meeting_votes_unanimous=15,
                               applications_received=15)  # fmt: skip
    rows[2]["activity"].update(verified=20, verified_class_changed=10, applications_received=20)
    rows[3]["activity"].update(applications_overdue=25, applications_received=25)
    content = {k: v for k, v in snapshot.items() if k not in ("snapshot_id", "generated_at")}
    snapshot["snapshot_id"] = snapshot_id_of(content)
    return snapshot


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hub on a new SQLite database with figures of three provinces, served locally."""
    path = tmp_path_factory.mktemp("e2e-hub") / "hub.db"
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": f"sqlite:///{path}"}))
    app.config["FIXED_NOW"] = NOW
    with app.app_context():
        upgrade_database()
        for snapshot in (
            make_snapshot("01", 2025, communes=6, generated_at=datetime(2025, 11, 1, tzinfo=UTC)),
            planted(),
            make_snapshot("12", 2026, scale=3, communes=5, official=OFFICIAL),
            make_snapshot("79", 2026, scale=2, communes=4),
        ):
            store_snapshot(db.session, snapshot, now=NOW)
        accounts.create_user(db.session, "trunguong", PASSWORD, "central_admin", now=NOW)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def signed_in_page(browser, base_url: str, viewport: dict) -> Page:
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="vi-VN",
                                  bypass_csp=True)  # fmt: skip
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "trunguong")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Tổng hợp hộ nghèo, hộ cận nghèo toàn quốc")
    return page


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_every_hub_page_reads_at_this_width_and_passes_axe(browser, hub_server, width, viewport):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make install does)")
    page = signed_in_page(browser, hub_server, viewport)
    problems: list[str] = []
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        # The page itself never scrolls sideways: wide tables scroll in their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px too wide at {width}"
        problems.extend(axe_violations(page))
        shot(page, f"hub-{width}-{path.strip('/').replace('/', '-').replace('?', '-')[:60]}")
    page.context.close()
    assert problems == [], "\n".join(problems)


def test_the_national_picture_in_the_browser(browser, hub_server):
    page = signed_in_page(browser, hub_server, PHONE)
    page.goto("/dashboard/?period=2026")
    expect(page.locator(".tile-map a")).to_have_count(34)
    expect(page.locator(".state-summary").first).to_contain_text("Chính thức: 1")
    page.get_by_role("link", name=re.compile(r"^LCh .* Lai Châu")).click()
    expect(page.locator("h1")).to_have_text("Lai Châu")

    page.goto("/dashboard/provinces/01?period=2026")
    page.get_by_role("link", name="Tỷ lệ hộ nghèo (%)").first.click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    page.get_by_label("Ẩn xã không có số liệu").check()
    page.get_by_role("button", name="Xem").last.click()
    assert "hide_empty=1" in page.url

    page.goto("/dashboard/trends")
    expect(page.locator("#table-trends tbody tr").first).to_contain_text("2022")
    expect(page.locator("#table-trends")).to_contain_text("Đã công bố")

    page.goto("/dashboard/tracker?period=2026")
    expect(page.locator("#table-tracker-2026")).to_contain_text("2468/QĐ-UBND")
    page.fill("#due-on", "2026-11-25")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("main")).to_contain_text("25/11/2026")
    expect(page.locator("tr.state-late").first).to_be_visible()

    page.goto("/dashboard/signals?period=2026")
    table = page.locator("table.data")
    for kind in ("signal-rate_moved", "signal-unanimous", "signal-class_changed",
                 "signal-overdue", "signal-quiet"):  # fmt: skip
        expect(table.locator(f"tr.{kind}").first).to_be_visible()

    page.goto("/dashboard/impact?period=2026")
    expect(page.locator("main")).to_contain_text("VN-2027-2030")
    page.context.close()


def test_open_data_without_signing_in(browser, hub_server):
    context = browser.new_context(base_url=hub_server, viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Dữ liệu mở").first.click()
    expect(page.locator("h1")).to_contain_text("Dữ liệu mở")
    page.goto("/open-data/?period=2026")
    main = page.locator("main")
    expect(main).to_contain_text("Lai Châu")
    expect(main).not_to_contain_text("Thành phố Hà Nội")  # provisional: never published
    expect(main).to_contain_text("2468/QĐ-UBND")
    page.goto("/open-data/?period=2024")
    expect(main).to_contain_text("217/QĐ-BLĐTBXH")
    context.close()
