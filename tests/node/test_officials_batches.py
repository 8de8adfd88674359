"""Steps for many households at once and the papers they print: the village meeting and its
minutes, the public posting and its list, the chair's decision, the periodic review."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from node.models import Application, AuditEntry, Certificate, Decision, Meeting, Posting
from tests.node.officials_helpers import (
    OTHER_IDENTITIES,
    html,
    new_application,
    sign_in,
    verified,
)
from tests.node.review_helpers import act

OTHER = {"full_name": "Trần Văn Bình", "citizen_id": "001190054321", "phone": "0912000111"}


pytestmark = pytest.mark.usefixtures("fixed_clock")


def versions(db_session, *ids):
    db_session.expire_all()
    return {f"version.{i}": db_session.get(Application, i).version for i in ids}


def two_verified(client, team):
    first = new_application(client, team.officer)
    second = new_application(client, team.officer, applicant=OTHER)
    verified(client, team, first)
    verified(client, team, second, identities=OTHER_IDENTITIES)
    return first, second


def meeting_form(db_session, first, second, **changes):
    form = {
        "held_on": "2026-11-13",
        "attendees": "10",
        "chaired_by": "Hà Văn Thắng",
        "village": "00070-001",
        "include": [str(first), str(second)],
        f"agreeing.{first}": "6",
        f"agreeing.{second}": "4",
        **versions(db_session, first, second),
    }
    form.update(changes)
    return form


def test_a_village_meeting_on_two_households(client, db_session, team):
    first, second = two_verified(client, team)
    page = html(team.head.get("/officials/meetings/new"))
    assert "Nguyễn Văn Hùng" in page  # the verified head's name
    assert f'name="agreeing.{first}"' in page

    response = team.head.post("/officials/meetings/new", meeting_form(db_session, first, second))

    assert response.status_code == 303, html(response)
    db_session.expire_all()
    assert db_session.get(Application, first).status == "meeting_held"
    assert db_session.get(Application, second).status == "under_review"  # 4 of 10: redo
    minutes = team.head.get(response.headers["Location"])
    text = html(minutes)
    assert "Đã ghi nhận cuộc họp: 1/2 hộ" in text
    assert text.count("BIÊN BẢN HỌP DÂN") == 2  # two copies
    assert "Bản 01/02" in text
    assert "Bản 02/02" in text
    assert "Hà Văn Thắng" in text
    assert "Dưới một nửa: thẩm định lại" in text
    assert db_session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "print_minutes")
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attendees": "0"}, "Nhập số người dự họp (lớn hơn 0)."),
        ({"held_on": "2026-12-30"}, "Ngày này không được sau hôm nay (24/11/2026)."),
        ({"held_on": "2026-11-06"}, "không được trước ngày 09/11/2026"),
        ({"held_on": "hôm qua"}, "Nhập ngày họp; không được sau ngày hôm nay."),
        ({"agreeing.FIRST": "11"}, "Số người đồng ý từ 0 đến số người dự họp."),
        ({"agreeing.FIRST": "nhiều"}, "Số người đồng ý từ 0 đến số người dự họp."),
        ({"include": []}, "Chọn ít nhất một hộ"),
    ],
)
def test_a_bad_meeting_record_writes_nothing(client, db_session, team, change, message):
    first, second = two_verified(client, team)
    change = {key.replace("FIRST", str(first)): value for key, value in change.items()}
    response = team.head.post(
        "/officials/meetings/new", meeting_form(db_session, first, second, **change)
    )
    assert response.status_code == 422
    assert message in html(response)
    assert db_session.scalar(select(func.count()).select_from(Meeting)) == 0
    db_session.expire_all()
    assert db_session.get(Application, first).status == "under_review"


def test_a_stale_meeting_form_writes_nothing(client, db_session, team):
    first, second = two_verified(client, team)
    form = meeting_form(db_session, first, second)
    act(client, team.officer.bearer, first, "assign", user_id=team.officer.user_id)
    response = team.head.post("/officials/meetings/new", form)
    assert response.status_code == 409
    assert "Người khác đã thao tác" in html(response)
    assert db_session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_the_meeting_form_is_for_heads_and_officers(client, db_session, team):
    assert team.chair.get("/officials/meetings/new").status_code == 403
    first, second = two_verified(client, team)
    response = team.officer.post(
        "/officials/meetings/new", meeting_form(db_session, first, second), csrf=False
    )
    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_another_villages_head_sees_no_household_to_discuss(
    app, client, make_user, db_session, team
):
    two_verified(client, team)
    elsewhere = sign_in(app, make_user, db_session, "village_head", ["00070-002"])
    page = html(elsewhere.get("/officials/meetings/new"))
    assert "Không có hộ đã thẩm định nào chờ họp dân ở đây." in page


def meeting_held(client, db_session, team):
    first, second = two_verified(client, team)
    form = meeting_form(db_session, first, second, **{f"agreeing.{second}": "7"})
    assert team.head.post("/officials/meetings/new", form).status_code == 303
    return first, second


def test_posting_with_the_default_length_and_the_printable_list(client, db_session, team):
    first, second = meeting_held(client, db_session, team)
    page = html(team.officer.get("/officials/postings/new"))
    assert "đến ngày 27/11/2026" in page  # 3 working days after Tue 24 Nov

    response = team.officer.post("/officials/postings/new", {
        "starts_on": "2026-11-24", "ends_on": "", "include": [str(first), str(second)],
        **versions(db_session, first, second)})  # fmt: skip

    assert response.status_code == 303, html(response)
    posting = db_session.scalar(select(Posting))
    assert (posting.starts_on.isoformat(), posting.ends_on.isoformat()) == (
        "2026-11-24",
        "2026-11-27",
    )
    listing = html(team.officer.get(response.headers["Location"]))
    assert "NIÊM YẾT CÔNG KHAI" in listing
    assert "Nguyễn Văn Hùng" in listing
    assert "Thôn 001" in listing
    assert "Hộ nghèo" in listing
    # Only what may be posted: no ID numbers, phones or birth dates.
    for secret in ("001085000111", "001190012345", "0912345678", "1985", "03/04"):
        assert secret not in listing.split('<article class="paper">')[1]


def test_a_posting_cannot_end_before_it_starts(client, db_session, team):
    first, _second = meeting_held(client, db_session, team)
    response = team.officer.post("/officials/postings/new", {
        "starts_on": "2026-11-24", "ends_on": "2026-11-20", "include": [str(first)],
        **versions(db_session, first)})  # fmt: skip
    assert response.status_code == 422
    assert "Ngày kết thúc niêm yết không được trước ngày bắt đầu." in html(response)
    assert db_session.scalar(select(func.count()).select_from(Posting)) == 0
    assert team.head.get("/officials/postings/new").status_code == 403


def posted_pair(client, db_session, team):
    first, second = meeting_held(client, db_session, team)
    response = team.officer.post("/officials/postings/new", {
        "starts_on": "2026-11-16", "include": [str(first), str(second)],
        **versions(db_session, first, second)})  # fmt: skip
    assert response.status_code == 303
    return first, second


def test_the_chair_decides_and_certificates_are_issued(client, db_session, team):
    first, second = posted_pair(client, db_session, team)
    assert team.officer.get("/officials/decisions/new").status_code == 403
    page = html(team.chair.get(f"/officials/decisions/new?select={first}"))
    assert f'id="outcome-{first}-recognised" name="outcome.{first}" value="recognised" checked' in (
        page
    )

    response = team.chair.post("/officials/decisions/new", {
        "number": "125/QĐ-UBND", "decided_on": "2026-11-24",
        f"outcome.{first}": "recognised",
        f"outcome.{second}": "refused", f"reasons.{second}": "Thu nhập cao hơn chuẩn.",
        **versions(db_session, first, second)})  # fmt: skip

    assert response.status_code == 303, html(response)
    sheet = html(team.chair.get(response.headers["Location"]))
    assert "Quyết định 125/QĐ-UBND" in sheet
    assert "1/GCN-HN.HCN" in sheet
    assert "Thu nhập cao hơn chuẩn." in sheet
    db_session.expire_all()
    assert db_session.get(Application, second).outcome == "refused"
    assert db_session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_refusal_without_reasons_writes_nothing(client, db_session, team):
    first, _second = posted_pair(client, db_session, team)
    response = team.chair.post("/officials/decisions/new", {
        "number": "7/QĐ", "decided_on": "2026-11-24", f"outcome.{first}": "refused",
        **versions(db_session, first)})  # fmt: skip
    assert response.status_code == 422
    assert "Không công nhận phải có lý do bằng văn bản." in html(response)
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 0
    no_number = team.chair.post("/officials/decisions/new", {
        "number": "", "decided_on": "2026-11-24", f"outcome.{first}": "recognised",
        **versions(db_session, first)})  # fmt: skip
    assert no_number.status_code == 422
    assert "Nhập số quyết định" in html(no_number)


def test_a_decision_before_the_posting_ends_is_refused(client, db_session, team):
    first, _second = meeting_held(client, db_session, team)
    team.officer.post(
        "/officials/postings/new",
        {"starts_on": "2026-11-24", "include": [str(first)], **versions(db_session, first)},
    )
    page = html(team.chair.get("/officials/decisions/new"))
    assert "Đang trong thời gian niêm yết" in page
    response = team.chair.post("/officials/decisions/new", {
        "number": "9/QĐ", "decided_on": "2026-11-24", f"outcome.{first}": "recognised",
        **versions(db_session, first)})  # fmt: skip
    assert response.status_code == 409
    # The household by name, and why: the posting's last day.
    assert (
        "Nguyễn Văn Hùng</strong> · Thôn 001: đang niêm yết công khai đến hết ngày 27/11/2026"
        in (html(response))
    )
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 0


def test_the_periodic_review_opens_once(app, client, db_session, team, monkeypatch):
    first, _second = posted_pair(client, db_session, team)
    team.chair.post("/officials/decisions/new", {
        "number": "1/QĐ", "decided_on": "2026-11-24", f"outcome.{first}": "recognised",
        **versions(db_session, first)})  # fmt: skip
    page = html(team.officer.get("/officials/periodic"))
    assert "Mở rà soát cho danh sách năm 2027" in page

    response = team.officer.post("/officials/periodic", {"period": "2027"})

    assert response.status_code == 303
    assert "1 hộ trong danh sách" in html(team.officer.get("/officials/"))
    again = team.officer.post("/officials/periodic", {"period": "2027"})
    assert again.status_code == 409
    assert "đã được mở" in html(again)
    monkeypatch.setitem(app.config, "FIXED_NOW", datetime(2026, 6, 2, 3, tzinfo=UTC))
    closed = html(team.officer.get("/officials/periodic"))
    assert "Chỉ mở được rà soát định kỳ trong thời gian rà soát." in closed
