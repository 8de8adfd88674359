"""The node's database goes away while a resident submits (issue 7): a real outage, not a mocked
answer. The node runs on PostgreSQL through a TCP proxy (tests/faultproxy.py); cutting the proxy
makes the database unreachable, restoring it brings it back.

With the script, the submission waits in the device's outbox after the 503 and goes through,
exactly once, when the database returns, and the page says the system is busy (not that the
network is gone). Without it, the resident gets a 503 page in Vietnamese that carries every answer
and the form's key: "Gửi lại" once the database is back goes through, and pressing it twice
still makes one application.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Node, serve_node
from tests.e2e.test_portal_browser import (
    COMMUNE,
    fill_applicant,
    fill_declaration,
    next_step,
    receipt_code,
)
from tests.faultproxy import FaultyProxy
from tests.node.portal_helpers import APPLICANT, household_form

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs GIAMNGHEO_TEST_DATABASE_URL"),
    pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True),
]

# The portal retries its outbox every 15 s (and at once when the browser comes back online,
# which it never left here); the node itself answers again as soon as the database does.
RETRY_INTERVAL = 15


class ProxiedNode:
    """The served node, its proxy to PostgreSQL, and a direct look at the database."""

    def __init__(self, node: Node, proxy: FaultyProxy, direct_url: str) -> None:
        self.node = node
        self.proxy = proxy
        self.url = node.url
        self.village = node.add_village(COMMUNE, "Thôn Đông Xuân")
        self.direct = sa.create_engine(direct_url, poolclass=sa.NullPool)

    def database_down(self) -> None:
        self.proxy.mode = "down"

    def database_back(self) -> None:
        self.proxy.mode = "clean"

    def stored(self) -> list[tuple[str, str]]:
        """(tracking code, idempotency key) of every application, read past the proxy."""
        with self.direct.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT a.tracking_code, k.key FROM applications a "
                "LEFT JOIN idempotency_keys k ON k.application_id = a.id ORDER BY a.id"
            ).all()
        return [tuple(row) for row in rows]


@pytest.fixture(scope="module")
def proxied_node(database_factory) -> Iterator[ProxiedNode]:
    direct = make_url(database_factory("outage"))
    proxy = FaultyProxy(direct.port or 5432)
    through_proxy = direct.set(host="127.0.0.1", port=proxy.port)
    try:
        with serve_node(through_proxy.render_as_string(hide_password=False)) as node:
            served = ProxiedNode(node, proxy, direct.render_as_string(hide_password=False))
            yield served
            served.direct.dispose()
    finally:
        proxy.close()


@pytest.fixture
def server(proxied_node) -> Iterator[ProxiedNode]:
    """The node with its database up; back up after the test, whatever happened."""
    proxied_node.database_back()
    yield proxied_node
    proxied_node.database_back()


def wait_until_healthy(url: str, timeout: float) -> float:
    """Seconds until /healthz (which asks the database) answers 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if requests.get(f"{url}/healthz", timeout=(2, 5)).status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"the node did not recover within {timeout} s of the database")


def is_submission(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/api/v1/applications")


def test_a_submission_during_an_outage_waits_on_the_device_and_goes_through_once(
    new_context, server
):
    context = new_context(base_url=server.url)
    page = context.new_page()
    before = server.stored()
    page.goto("/declare")
    fill_declaration(page)
    next_step(page, "Gửi hồ sơ đến UBND xã")
    fill_applicant(page)

    server.database_down()
    with page.expect_response(is_submission) as answered:
        page.get_by_role("button", name="Gửi hồ sơ").click()

    # The node says so and when to come back, never a 500.
    answer = answered.value
    assert answer.status == 503
    assert int(answer.headers["retry-after"]) > 0
    status = page.locator("#send-status")
    expect(status).to_contain_text("hồ sơ đã được lưu trên máy này và sẽ tự động gửi")
    # The network is fine, the node is not: the resident is not told to look for a signal.
    expect(status).to_contain_text("Hệ thống đang tạm gián đoạn")
    expect(status).not_to_contain_text("kết nối mạng")
    expect(page.get_by_role("button", name="Gửi hồ sơ")).to_be_enabled()
    # What the resident typed is still on the page and on the device.
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Văn An")
    expect(page.get_by_label("Số điện thoại", exact=True)).to_have_value("0912 345 678")
    draft = page.evaluate("JSON.parse(localStorage.getItem('giamngheo:draft:enter'))")
    assert draft["fields"]["members.1.birth_date"] == "2018-01-01"
    assert draft["fields"]["income"] == "2.000.000"
    assert draft["place"]["village"] == server.village
    outbox = page.evaluate("JSON.parse(localStorage.getItem('giamngheo:outbox'))")
    assert [entry["body"]["applicant"]["full_name"] for entry in outbox] == ["Nguyễn Văn An"]
    assert server.stored() == before  # nothing written, nothing half-written

    server.database_back()
    recovered = wait_until_healthy(server.url, timeout=10)
    started = time.monotonic()
    code = receipt_code(page)
    waited = time.monotonic() - started

    assert recovered < 5, f"the node took {recovered:.1f} s to use the database again"
    assert waited < RETRY_INTERVAL + 5, f"the queued submission took {waited:.1f} s to go"
    # Exactly once, under the key the device kept, and it is the one on the receipt.
    assert server.stored() == [*before, (code, outbox[0]["key"])]
    assert page.evaluate("localStorage.getItem('giamngheo:outbox')") is None
    assert page.evaluate("localStorage.getItem('giamngheo:draft:enter')") is None


def fill_by_name(page: Page, values: dict[str, str]) -> None:
    """Answer the plain declaration form (no script): every field is on one page."""
    for name, value in values.items():
        fields = page.locator(f'#declaration [name="{name}"]')
        kind = fields.first.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "hidden":
            continue
        if kind == "radio":
            page.locator(f'#declaration [name="{name}"][value="{value}"]').check()
        elif kind == "select":
            fields.select_option(value)
        else:
            fields.fill(value)


def test_without_the_script_an_outage_keeps_the_answers_and_sending_again_goes_once(
    new_context, server
):
    context = new_context(base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    before = server.stored()
    page.goto(f"/declare?kind=enter&commune={COMMUNE}&village={server.village}&people=2")
    fill_by_name(page, household_form(commune=COMMUNE, village=server.village))
    page.get_by_role("button", name="Xem kết quả tự đánh giá").click()
    page.get_by_label("Họ và tên").fill(APPLICANT["full_name"])
    page.get_by_label("Số định danh cá nhân (số CCCD, 12 chữ số)").fill(APPLICANT["citizen_id"])
    page.get_by_label("Số điện thoại", exact=True).fill(APPLICANT["phone"])
    page.get_by_label("Tôi đã đọc và đồng ý với các điểm trên.").check()
    key = page.locator('input[name="idempotency_key"]').input_value()

    server.database_down()
    with page.expect_navigation() as navigated:
        page.get_by_role("button", name="Gửi hồ sơ").click()

    answer = navigated.value
    assert answer.status == 503
    assert int(answer.headers["retry-after"]) > 0
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hệ thống đang tạm gián đoạn")
    expect(page.locator("main")).to_contain_text("những gì bạn đã nhập không bị mất")
    assert server.stored() == before
    # The page carries every answer and the form's key: "Gửi lại" once the database is back
    # posts the same form, and posting it twice still makes one application.
    # The 503 page carries personal data, so it is no-store and the Back button cannot bring it
    # back from the cache: its copy, as a second tab would keep it, is sent again instead.
    assert "no-store" in answer.headers["cache-control"]
    kept = page.content()
    server.database_back()
    wait_until_healthy(server.url, timeout=10)
    page.get_by_role("button", name="Gửi lại").click()
    code = receipt_code(page, "/declare/submit")
    page.set_content(kept)
    expect(page.get_by_role("button", name="Gửi lại")).to_be_visible()
    page.get_by_role("button", name="Gửi lại").click()
    assert receipt_code(page, "/declare/submit") == code

    assert server.stored() == [*before, (code, key)]
