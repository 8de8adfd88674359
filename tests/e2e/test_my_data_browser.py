"""Issue 18's "done when", in Chromium on a phone: with only a tracking code and phone, a resident
gets their data on a printable page, asks for a correction, and sees it answered on the status
page; both pages pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from node.context import node_context
from node.extensions import db
from node.models import DataRequest
from node.services import accounts
from node.services.data_requests import answer_request
from node.services.scopes import Official
from tests.builders import application_request
from tests.e2e.conftest import AXE, NOW
from tests.e2e.test_portal_browser import axe_violations

PHONE_NUMBER = "0912345678"


@pytest.fixture
def tracking_code(node_server) -> str:
    """An application submitted over the API (Hà Nội, phường Hoàn Kiếm)."""
    response = node_server.app.test_client().post(
        "/api/v1/applications",
        json=application_request(),
        headers={"Idempotency-Key": "e2e-my-data-0001"},
    )
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["tracking_code"]


def look_up(page: Page, code: str) -> None:
    page.goto("/status")
    page.get_by_label("Mã tra cứu hồ sơ").fill(code)
    page.get_by_label("Số điện thoại hoặc số định danh cá nhân").fill(PHONE_NUMBER)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator(".status-now")).to_be_visible()


def answer_as_the_commune(node_server, text: str) -> None:
    """The commune officer answers the open request (as the workspace page does)."""
    with node_server.app.app_context():
        user = accounts.create_user(
            db.session, "officer.e2e", "a long enough pass phrase", "commune_officer",
            ["00070"], "01", None, now=NOW,
        )  # fmt: skip
        officer = Official(user.id, user.username, user.role, frozenset({"00070"}))
        request = db.session.scalar(select(DataRequest).where(DataRequest.status == "open"))
        answer_request(db.session, officer, request.id, "done", text, node_context())
        db.session.commit()


def test_a_resident_gets_their_data_and_a_correction_answered(new_context, node_server,
                                                              tracking_code):  # fmt: skip
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make install does)")
    page = new_context(bypass_csp=True).new_page()
    look_up(page, tracking_code)

    page.get_by_role("button", name="Xem toàn bộ dữ liệu hệ thống lưu về tôi").click()
    expect(page.locator("h1")).to_have_text("Dữ liệu hệ thống đang lưu về bạn")
    expect(page.locator("article.my-data")).to_contain_text("Nguyễn Thị Lan")
    expect(page.locator("article.my-data")).to_contain_text("001190012345")
    assert tracking_code not in page.url
    assert axe_violations(page) == []

    look_up(page, tracking_code)
    page.get_by_text("Đề nghị sửa, xóa, hạn chế xử lý dữ liệu hoặc rút lại sự đồng ý").click()
    page.get_by_label("Thông tin chưa đúng (khi đề nghị sửa)").fill("Số điện thoại cũ")
    page.get_by_label("Thông tin đúng (khi đề nghị sửa)").fill("Số mới 0987 000 111")
    page.get_by_role("button", name="Gửi yêu cầu").click()
    expect(page.get_by_role("alert")).to_contain_text("Yêu cầu của bạn đã được ghi nhận")
    expect(page.locator(".data-requests")).to_contain_text("Đang xử lý")
    assert axe_violations(page) == []

    answer_as_the_commune(node_server, "Đã cập nhật số điện thoại mới.")
    look_up(page, tracking_code)
    requests = page.locator(".data-requests")
    expect(requests).to_contain_text("Đã thực hiện")
    expect(requests).to_contain_text("Đã cập nhật số điện thoại mới.")
