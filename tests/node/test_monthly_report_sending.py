"""The monthly report's sending record (issue 14 part 1, Decision 24/2021 Art. 7): the commune
marks the month's report as sent once (audited; a second time is a 409 and writes nothing), the
province sees which communes sent, and the worklist stops flagging it once sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from node.extensions import db
from node.models import AuditEntry, MonthlyReportSending
from node.services.errors import Conflict
from node.services.monthly_report_sending import send_monthly_report
from node.services.scopes import Official
from tests.node.officials_helpers import html, sign_in

pytestmark = pytest.mark.usefixtures("fixed_clock")
API = "/api/v1/monthly-reports"
SEND = f"{API}/sendings"
PAGE = "/officials/reports/monthly"


def sendings_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(MonthlyReportSending))


def test_the_commune_sends_its_report_once_through_the_api(client, login_as, db_session):
    officer = login_as("commune_officer")
    answer = client.post(SEND, json={"month": "2026-08"}, headers=officer)

    assert answer.status_code == 201
    body = answer.get_json()
    assert (body["unit"], body["month"]) == ("00070", "2026-08")
    assert body["sent_at"].startswith("2026-11-24")
    again = client.post(SEND, json={"month": "2026-08"}, headers=login_as("commune_chair"))
    assert again.status_code == 409
    assert sendings_count(db_session) == 1
    audited = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "send_monthly_report")
    ).all()
    assert len(audited) == 1
    read = client.get(f"{API}?month=2026-08", headers=officer).get_json()
    assert read["sent_at"] == body["sent_at"]
    assert client.get(f"{API}?month=2026-07", headers=officer).get_json()["sent_at"] is None


def test_bad_months_and_other_roles_are_refused(client, login_as, db_session):
    officer = login_as("commune_officer")
    for month, why in (("2026-10", "not_due"), ("2026-11", "not_over"), ("2027-01", "not_over"),
                       ("2026-13", "YYYY-MM"), ("２０２６-08", "YYYY-MM")):  # fmt: skip
        answer = client.post(SEND, json={"month": month}, headers=officer)
        assert answer.status_code == 422, month
        assert why in str(answer.get_json()), month
    assert client.post(SEND, json={"month": "2026-0\x008"}, headers=officer).status_code == 422
    assert client.post(SEND, json={}, headers=officer).status_code == 422
    for role in ("province_officer", "village_head"):
        answer = client.post(SEND, json={"month": "2026-08"}, headers=login_as(role))
        assert answer.status_code == 403, role
    assert sendings_count(db_session) == 0


def test_a_second_click_at_the_same_moment_meets_the_unique_key(db_session, make_user):
    user = make_user("commune_officer")
    officer = Official(user.id, user.username, "commune_officer", frozenset({"00070"}))
    now = datetime(2026, 11, 24, 3, tzinfo=UTC)
    # The first click's row, written as if its request had passed the check just before.
    db_session.add(MonthlyReportSending(commune_code="00070", month=date(2026, 8, 1),
                                        sent_at=now, sent_by=user.id))  # fmt: skip
    db_session.flush()
    with pytest.raises(Conflict):
        send_monthly_report(db_session, officer, date(2026, 8, 1), now, date(2026, 11, 24))
    assert sendings_count(db_session) == 1


def test_the_commune_marks_it_on_the_page_and_the_province_sees_who_sent(
    app, make_user, db_session
):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    before = html(officer.get(f"{PAGE}?month=2026-08"))
    assert "Đánh dấu đã gửi tỉnh" in before
    sent = officer.post(f"{PAGE}/sent", {"month": "2026-08"})
    assert sent.status_code == 303
    after = html(officer.get(f"{PAGE}?month=2026-08"))
    assert "data-sent" in after
    assert "Đánh dấu đã gửi tỉnh" not in after
    again = officer.post(f"{PAGE}/sent", {"month": "2026-08"})
    assert again.status_code == 409
    assert "đã được gửi tỉnh" in html(again)
    assert officer.post(f"{PAGE}/sent", {"month": "2026-10"}).status_code == 422
    assert sendings_count(db_session) == 1

    province = sign_in(app, make_user, db_session, "province_officer")
    page = html(province.get(f"{PAGE}?month=2026-08"))
    assert "Chưa gửi" in page.split('data-commune="00073"')[1].split("</tr>")[0]
    assert "Đã gửi lúc" in page.split('data-commune="00070"')[1].split("</tr>")[0]
    body = province.get(f"{API}?month=2026-08", headers=province.bearer).get_json()
    by_code = {c["code"]: c["sent_at"] for c in body["communes"]}
    assert by_code["00070"] is not None
    assert by_code["00073"] is None
    assert province.post(f"{PAGE}/sent", {"month": "2026-08"}).status_code == 403


def test_the_worklist_flags_the_report_overdue_until_it_is_sent(app, make_user, db_session):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    worklist = html(officer.get("/officials/"))  # 24 November: August's report, due 5 September
    assert 'data-monthly-report="overdue"' in worklist
    assert "tháng 8/2026" in worklist
    officer.post(f"{PAGE}/sent", {"month": "2026-08"})
    assert "data-monthly-report" not in html(officer.get("/officials/"))


def test_the_migration_creates_the_table_and_drops_it(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision="8d2f4b6a1c37")
        assert "monthly_report_sendings" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "monthly_report_sendings" in sa.inspect(db.engine).get_table_names()
        flask_migrate.downgrade(revision="8d2f4b6a1c37")
        assert "monthly_report_sendings" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
