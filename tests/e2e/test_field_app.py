"""Issue 15's "Done when", in headless Chromium on a 360 px phone: the village head signs in,
sets a PIN and downloads the work; then, without signal from there to the last household,
verifies five households of the village and records its meeting; meanwhile the commune officer
verifies one of the same households; back online the phone sends everything, shows the one
conflict side by side, and after the head's choice every change is on the server exactly once.
IndexedDB is read directly: without the PIN the data is unreadable.

The pictures of the guide docs/guides/lam-viec-ngoai-tuyen.md are taken here:
GIAMNGHEO_SCREENSHOTS=docs/guides/img .venv/bin/python -m pytest tests/e2e/test_field_app.py"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from node.context import node_context
from node.extensions import db
from node.models import Application, Device, Meeting, MeetingVote, User, Verification
from node.services import accounts, actions, field_work
from tests.builders import adult, application_request, household
from tests.e2e.conftest import NOW, Node, serve_node
from tests.e2e.test_officials_browser import PASSWORD, on_day
from tests.e2e.test_portal_browser import axe_violations

COMMUNE = "00385"  # Xã Trung Giã, Hà Nội: rural, used by no other browser test
PIN = "246810"
NAMES = ["Lò Văn Páo", "Hà Thị Mai", "Vàng A Sử", "Lường Văn Tòng", "Cầm Thị Hoa"]
SHOTS = os.environ.get("GIAMNGHEO_SCREENSHOTS")


def shot(page: Page, name: str) -> None:
    """Keep the phone's screen when GIAMNGHEO_SCREENSHOTS names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def submit(node_server, village: str, index: int, name: str | None = None) -> str:
    """A resident's application through the public API; its tracking code."""
    body = application_request(commune_code=COMMUNE, village_code=village)
    body["household"] = household(
        members=[adult(birth_date=f"198{index}-05-0{index + 1}")], monthly_income=1_000_000
    )
    body["applicant"] = {"full_name": name or NAMES[index], "citizen_id": f"00108005{index:04d}",
                         "phone": f"098765{index:04d}"}  # fmt: skip
    request = urllib.request.Request(
        f"{node_server.url}/api/v1/applications",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": f"field-e2e-{index:04d}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # only 127.0.0.1
        return json.load(answer)["tracking_code"]


def official(username: str):
    user = db.session.scalar(select(User).where(User.username == username))
    return accounts.official_for_user(user)


@pytest.fixture(scope="module")
def field_node(database_factory) -> Iterator[Node]:
    """The node on a new database of each backend under test (SQLite; PostgreSQL too when
    GIAMNGHEO_TEST_DATABASE_URL is set), served on a free local port."""
    with serve_node(database_factory("field")) as node:
        node.app.config["FIXED_NOW"] = NOW
        yield node


@pytest.fixture(scope="module")
def village_work(field_node):
    """A village, its head and the commune officer, and five households assigned to the head
    (the review started on Friday 20 November)."""
    village = field_node.add_village(COMMUNE, "Thôn Bản Lầu")
    with field_node.app.app_context():
        for username, role, units in (
            ("truongthon.banlau", "village_head", [village]),
            ("canbo.trunggia", "commune_officer", [COMMUNE]),
        ):
            accounts.create_user(db.session, username, PASSWORD, role, units, "01",
                                 full_name=username.split(".")[0].title())  # fmt: skip
        db.session.commit()
    codes = [submit(field_node, village, index) for index in range(5)]
    ids = assign_to_head(field_node, codes)
    return {"village": village, "ids": ids}


def assign_to_head(field_node, codes: list[str]) -> list[int]:
    """The review of these applications started on Friday 20 November, assigned to the head;
    their ids."""
    with field_node.app.app_context(), on_day(field_node, date(2026, 11, 20)):
        officer, head = official("canbo.trunggia"), official("truongthon.banlau")
        ids = []
        for code in codes:
            application = db.session.scalar(
                select(Application).where(Application.tracking_code == code)
            )
            actions.take_action(db.session, officer, application, "start_review",
                                {"assign_to": head.user_id}, node_context())  # fmt: skip
            ids.append(application.id)
        db.session.commit()
    return ids


# The service worker has stored the app's page (it opens offline from there).
STORED_PAGE = """caches.keys()
  .then(names => Promise.all(names.map(n => caches.open(n).then(c => c.match("/officials/app")))))
  .then(hits => hits.some(Boolean))"""


def sign_in(page: Page, username: str) -> None:
    page.goto("/officials/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Việc cần làm")


def next_screen(page: Page) -> None:
    page.get_by_role("button", name="Tiếp", exact=True).click()


def verify_household(page: Page, name: str, index: int) -> None:
    """One household, one question group per screen, to the assessment; saved on the phone."""
    page.locator("#households li", has_text=name).get_by_role("button").click()
    expect(page.locator("h1")).to_have_text("Thành viên thứ 1")
    expect(page.locator(".kicker")).to_contain_text("Bước 1/8")
    # The head's name and ID come from the application; the ethnicity was never declared.
    expect(page.locator("#v-identities-0-full_name")).to_have_value(name)
    expect(page.locator("#v-identities-0-ethnicity")).to_have_value("")
    page.locator("#v-identities-0-ethnicity").fill("Thái")
    if index == 0:
        shot(page, "lam-viec-ngoai-tuyen-03-thanh-vien")
    if index == 3:
        add_child(page)
    next_screen(page)
    expect(page.locator("h1")).to_have_text("Thu nhập")
    if index == 1:
        # Found lower than declared: the field is marked, and the assessment will differ.
        page.locator("#v-income").fill("600.000")
        page.locator("#v-income").blur()
        expect(page.locator("#v-income-declared")).to_contain_text("đã thay đổi")
    else:
        expect(page.locator("#v-income-declared")).not_to_contain_text("đã thay đổi")
    next_screen(page)
    expect(page.locator("h1")).to_have_text("Nhà ở")
    if index == 1:
        page.locator("#v-housing-walls_durable").select_option("no")
        page.locator("#v-housing-roof_durable").select_option("no")
        shot(page, "lam-viec-ngoai-tuyen-04-nha-o")
    next_screen(page)  # water and sanitation
    next_screen(page)  # information
    next_screen(page)
    expect(page.locator("h1")).to_have_text("Nguồn thu nhập chính")  # optional (issue 14)
    next_screen(page)
    expect(page.locator("h1")).to_have_text("Địa chỉ")
    page.locator("#v-address").fill(f"Số {index + 1}, Thôn Bản Lầu")
    next_screen(page)
    expect(page.locator("h1")).to_have_text("Kết quả thẩm định")
    table = page.locator("#assessment-comparison")
    expect(table).to_contain_text("Hộ tự đánh giá")
    if index == 1:
        expect(table.locator("tr.differs").first).to_be_visible()
        shot(page, "lam-viec-ngoai-tuyen-05-ket-qua")
        assert axe_violations(page) == []
    elif index == 3:
        # One more person, the same income: less per person.
        expect(table.locator("tr.differs", has_text="Thu nhập bình quân")).to_have_count(1)
    else:
        expect(table.locator("tr.differs")).to_have_count(0)
    page.get_by_role("button", name="Lưu kết quả thẩm định trên máy").click()
    expect(page.locator("h1")).to_have_text("Làm việc ngoại tuyến")


def add_child(page: Page) -> None:
    """The household has a child the resident did not declare: a second member, whose
    age-dependent questions appear once the birth date is in."""
    page.get_by_role("button", name="Thêm thành viên").click()
    expect(page.locator("h1")).to_have_text("Thành viên thứ 2")
    expect(page.locator(".kicker")).to_contain_text("Bước 2/9")
    page.locator("#v-identities-1-full_name").fill("Lường Thị Na")
    page.locator("#v-identities-1-ethnicity").fill("Thái")
    expect(page.locator("#v-members-1-relation-declared")).to_have_text("Người dân không khai")
    page.locator("#v-members-1-relation").select_option("child")
    page.locator("#v-members-1-sex").select_option("female")
    expect(page.locator("#v-members-1-employment")).to_have_count(1)  # age unknown: asked
    page.locator("#v-members-1-birth_date").fill("2019-04-02")
    expect(page.locator("#v-members-1-employment")).to_have_count(0)  # a 7-year-old: not
    page.locator("#v-members-1-has_health_insurance").select_option("yes")
    page.locator("#v-members-1-disability").select_option("no")
    page.locator("#v-members-1-in_school").select_option("yes")
    page.locator("#v-members-1-education_level").select_option("none")
    page.locator("#v-members-1-malnourished").select_option("no")
    # Nothing the resident declared is marked changed: the resident was not asked of her.
    expect(page.locator(".field--changed")).to_have_count(0)


def record_meeting(page: Page) -> None:
    page.get_by_role("button", name="Ghi nhận cuộc họp").click()
    expect(page.locator("h1")).to_have_text("Họp dân: Thôn Bản Lầu")
    page.get_by_label("Ngày họp").fill("2026-11-28")
    page.get_by_label("Số người dự họp").fill("20")
    page.get_by_label("Người chủ trì").fill("Lò Văn Sương")
    page.get_by_label("Biên bản: nội dung thảo luận, ý kiến khác").fill(
        "Bà con thống nhất danh sách.\nÔng Tòng đề nghị xem lại thu nhập hộ bà Mai."
    )
    votes = page.locator("input[id^=m-vote-]")
    expect(votes).to_have_count(5)
    # 9 of 20 is 45%: the phone says at once that it does not pass.
    votes.nth(0).fill("9")
    expect(page.locator(".field-vote-result").nth(0)).to_contain_text("không đạt")
    for index in range(5):
        votes.nth(index).fill(str(15 + index % 2))
    expect(page.locator(".field-vote-result").nth(0)).to_contain_text("đạt (từ 50%")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    shot(page, "lam-viec-ngoai-tuyen-06-hop-dan")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Lưu biên bản họp trên máy").click()
    expect(page.locator("h1")).to_have_text("Làm việc ngoại tuyến")


READ_VAULT = """async (pin) => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("giamngheo-field");
    r.onsuccess = () => ok(r.result);
    r.onerror = ko;
  });
  const get = (key) => new Promise((ok) => {
    const r = db.transaction("vault").objectStore("vault").get(key);
    r.onsuccess = () => ok(r.result);
  });
  const meta = await get("meta"), state = await get("state");
  db.close();
  const raw = new TextDecoder("utf-8", {fatal: false}).decode(state.data);
  async function open(candidate) {
    const bytes = new TextEncoder().encode(candidate);
    const base = await crypto.subtle.importKey("raw", bytes, "PBKDF2", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      {name: "PBKDF2", salt: meta.salt, iterations: meta.iterations, hash: "SHA-256"},
      base, {name: "AES-GCM", length: 256}, false, ["decrypt"]);
    try {
      const plain = await crypto.subtle.decrypt({name: "AES-GCM", iv: state.iv}, key, state.data);
      return new TextDecoder().decode(plain);
    } catch (e) { return null; }
  }
  return {raw: raw, keys: Object.keys(state).sort(), iterations: meta.iterations,
          wrong: await open("000000"), right: await open(pin)};
}"""


RESEND = """async ([entry, device]) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const r = await fetch(`/api/v1/applications/${entry.appId}/actions/verify`, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": token,
              "Idempotency-Key": entry.key, "X-Device-Id": device},
    body: JSON.stringify(Object.assign({}, entry.body, {version: entry.version}))});
  return [r.status, r.headers.get("Idempotent-Replayed")];
}"""


def server_counts(field_node, ids: list[int], head_id: int) -> dict[str, object]:
    with field_node.app.app_context():
        by_head = dict(
            db.session.execute(
                select(Verification.application_id, func.count())
                .where(Verification.application_id.in_(ids), Verification.verified_by == head_id)
                .group_by(Verification.application_id)
            ).all()
        )
        votes = db.session.scalars(
            select(MeetingVote.meeting_id).where(MeetingVote.application_id.in_(ids))
        ).all()
        statuses = db.session.scalars(select(Application.status).where(Application.id.in_(ids)))
        notes = db.session.scalars(select(Meeting.notes).where(Meeting.id.in_(set(votes)))).all()
        return {"by_head": by_head, "votes": votes, "statuses": set(statuses), "notes": notes}


def test_a_village_verified_and_its_meeting_recorded_offline_then_synced_once(
    new_context, field_node, village_work
):
    ids = village_work["ids"]
    context = new_context(base_url=field_node.url, bypass_csp=True)  # axe-core is injected
    page = context.new_page()
    page.clock.set_fixed_time(NOW)
    sign_in(page, "truongthon.banlau")

    # Online, once: set the PIN; the phone registers itself and downloads the work.
    page.goto("/officials/app")
    expect(page.locator("h1")).to_have_text("Đặt mã PIN cho máy này")
    page.get_by_label("Mã PIN mới (ít nhất 6 chữ số)").fill(PIN)
    page.get_by_label("Nhập lại mã PIN").fill(PIN)
    shot(page, "lam-viec-ngoai-tuyen-01-dat-ma-pin")
    page.get_by_role("button", name="Đặt mã PIN và tải công việc").click()
    expect(page.locator("h1")).to_have_text("Làm việc ngoại tuyến")
    expect(page.locator("#households > li")).to_have_count(5)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(STORED_PAGE)

    # No signal from here to the last household: the app opens from the phone, PIN first.
    context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Nhập mã PIN")
    page.get_by_label("Mã PIN").fill("111111")
    page.get_by_role("button", name="Mở").click()
    expect(page.locator("#pin-error")).to_contain_text("Còn 4 lần thử")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Mở").click()
    expect(page.locator("h1")).to_have_text("Làm việc ngoại tuyến")
    expect(page.locator("#sync-status")).to_contain_text("Mất mạng")
    shot(page, "lam-viec-ngoai-tuyen-02-danh-sach")
    assert axe_violations(page) == []

    for index, name in enumerate(NAMES):
        verify_household(page, name, index)
    record_meeting(page)
    expect(page.locator("#count-waiting")).to_have_text("Chờ gửi: 6")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    assert server_counts(field_node, ids, 0)["votes"] == []

    # Meanwhile the commune officer verifies the third household at the office.
    with field_node.app.app_context():
        officer = official("canbo.trunggia")
        application = db.session.get(Application, ids[2])
        facts = household(members=[adult(birth_date="1982-05-03")], monthly_income=2_500_000)
        identities = [{"full_name": NAMES[2], "citizen_id": "001080050002", "ethnicity": "Mông"}]
        actions.take_action(db.session, officer, application, "verify",
                            {"facts": facts, "identities": identities}, node_context())  # fmt: skip
        db.session.commit()
        head_id = official("truongthon.banlau").user_id

    # What the phone keeps is unreadable without the PIN.
    vault = page.evaluate(READ_VAULT, PIN)
    assert vault["keys"] == ["data", "iv"]
    assert vault["iterations"] >= 100_000
    for secret in ("Páo", "L\\u00f2", "declared_facts", "001080050000", "Bản Lầu"):
        assert secret not in vault["raw"]
    assert vault["wrong"] is None
    assert "Lò Văn Páo" in vault["right"]
    assert "declared_facts" in vault["right"]

    # Back online: the queue goes up; one verification meets the officer's.
    context.set_offline(False)
    expect(page.locator("#count-attention")).to_have_text("Cần xử lý: 1")
    expect(page.locator("#count-sent")).to_have_text("Đã gửi: 4")
    expect(page.locator("#count-waiting")).to_have_text("Chờ gửi: 1")  # the meeting waits
    page.get_by_role("button", name="Xem và chọn").click()
    table = page.locator("#conflict-table")
    expect(table).to_contain_text("Của người kia (trên hệ thống)")
    expect(table.locator("tr.differs", has_text="Tổng thu nhập")).to_contain_text("2.500.000")
    shot(page, "lam-viec-ngoai-tuyen-07-xung-dot")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Giữ bản của tôi").click()
    expect(page.locator("#count-sent")).to_have_text("Đã gửi: 6")
    expect(page.locator("#count-attention")).to_have_text("Cần xử lý: 0")
    expect(page.locator("#count-waiting")).to_have_text("Chờ gửi: 0")
    shot(page, "lam-viec-ngoai-tuyen-08-da-gui")

    # Every change on the server exactly once, even when sent again.
    page.get_by_role("button", name="Gửi", exact=True).click()
    kept = json.loads(page.evaluate(READ_VAULT, PIN)["right"])
    sent = next(e for e in kept["outbox"] if e["kind"] == "verify" and e["status"] == "sent")
    again = page.evaluate(RESEND, [sent, kept["device"]["public_id"]])
    assert again == [200, "true"]
    counts = server_counts(field_node, ids, head_id)
    assert counts["by_head"] == dict.fromkeys(ids, 1)
    assert len(counts["votes"]) == 5
    assert len(set(counts["votes"])) == 1
    assert counts["statuses"] == {"meeting_held"}
    assert counts["notes"][0].startswith("Bà con thống nhất danh sách.")
    with field_node.app.app_context():
        latest = db.session.scalar(
            select(Verification).where(Verification.application_id == ids[2])
            .order_by(Verification.id.desc()).limit(1)
        )  # fmt: skip
        assert latest.verified_by == head_id
        assert latest.identities[0]["ethnicity"] == "Thái"
        grown = db.session.scalar(
            select(Verification).where(Verification.application_id == ids[3])
        )  # fmt: skip
        assert [m["relation"] for m in grown.facts["members"]] == ["head", "child"]
        assert grown.facts["members"][1]["employment"] == "not_in_labour_force"  # its default
        assert grown.identities[1]["full_name"] == "Lường Thị Na"


def set_up_phone(new_context, field_node) -> tuple[object, Page]:
    """The head's phone, signed in, with a PIN set and the work downloaded."""
    context = new_context(base_url=field_node.url)
    page = context.new_page()
    page.clock.set_fixed_time(NOW)
    sign_in(page, "truongthon.banlau")
    page.goto("/officials/app")
    page.get_by_label("Mã PIN mới (ít nhất 6 chữ số)").fill(PIN)
    page.get_by_label("Nhập lại mã PIN").fill(PIN)
    page.get_by_role("button", name="Đặt mã PIN và tải công việc").click()
    expect(page.locator("h1")).to_have_text("Làm việc ngoại tuyến")
    assert "giamngheo-field" in page.evaluate(DATABASES)
    return context, page


DATABASES = "indexedDB.databases().then(d => d.map(x => x.name))"


def test_signing_out_deletes_what_the_phone_keeps(new_context, field_node, village_work):
    _, page = set_up_phone(new_context, field_node)

    page.get_by_role("button", name="Đăng xuất và xoá dữ liệu trên máy").click()

    expect(page.locator("h1")).to_contain_text("Đăng nhập")
    assert page.evaluate(DATABASES) == []


def test_five_wrong_pins_delete_what_the_phone_keeps(new_context, field_node, village_work):
    _, page = set_up_phone(new_context, field_node)
    page.reload()
    for left in (4, 3, 2, 1):
        page.get_by_label("Mã PIN").fill("999999")
        page.get_by_role("button", name="Mở").click()
        expect(page.locator("#pin-error")).to_contain_text(f"Còn {left} lần thử")
    page.get_by_label("Mã PIN").fill("999999")
    page.get_by_role("button", name="Mở").click()

    expect(page.locator("h1")).to_have_text("Đặt mã PIN cho máy này")
    expect(page.locator(".notice")).to_contain_text("Nhập sai mã PIN quá nhiều lần")
    assert page.evaluate(DATABASES) == []


def test_a_revoked_phone_is_refused_and_wiped(new_context, field_node, village_work):
    [app_id] = assign_to_head(
        field_node, [submit(field_node, village_work["village"], 7, "Giàng Thị Dua")]
    )
    context, page = set_up_phone(new_context, field_node)
    context.set_offline(True)
    verify_household(page, "Giàng Thị Dua", 4)
    expect(page.locator("#count-waiting")).to_have_text("Chờ gửi: 1")
    # The phone is reported lost; the administrator revokes it.
    with field_node.app.app_context():
        head = official("truongthon.banlau")
        device = db.session.scalars(select(Device).where(Device.user_id == head.user_id)).all()[-1]
        admin = accounts.official_for_user(
            accounts.create_user(db.session, "quantri.field", PASSWORD, "province_admin", [], "01",
                                 full_name="Quản trị")
        )  # fmt: skip
        field_work.revoke_device(db.session, admin, device.id, node_context())
        db.session.commit()

    context.set_offline(False)

    expect(page.locator("h1")).to_have_text("Máy này không còn được đồng bộ")
    assert page.evaluate(DATABASES) == []
    with field_node.app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Verification)
                .where(Verification.application_id == app_id)
            )
            == 0
        )


def test_a_session_that_ended_offline_loses_nothing(new_context, field_node, village_work):
    [app_id] = assign_to_head(
        field_node, [submit(field_node, village_work["village"], 8, "Sùng A Chớ")]
    )
    context, page = set_up_phone(new_context, field_node)
    context.set_offline(True)
    verify_household(page, "Sùng A Chớ", 4)
    # Days later the session has ended (its cookie is gone) when the signal returns.
    context.clear_cookies()
    context.set_offline(False)
    expect(page.locator("#sign-in-needed")).to_contain_text("Phiên đăng nhập đã hết")
    expect(page.locator("#count-waiting")).to_have_text("Chờ gửi: 1")

    sign_in(page, "truongthon.banlau")
    page.goto("/officials/app")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Mở").click()

    expect(page.locator("#count-sent")).to_have_text("Đã gửi: 1")
    with field_node.app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Verification)
                .where(Verification.application_id == app_id)
            )
            == 1
        )
