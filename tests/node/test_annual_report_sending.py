"""The annual report's sending record (issue 14 §1): the commune marks its report on a closed
periodic review as sent once (audited; a second time is a 409 and writes nothing), the province
sees which communes sent, and the worklist flags it from the review's close until it is sent.
The fixed clock stands on 24 November 2026: the review for 2026 closed on 14 December 2025, the
one for 2027 is still open."""

from __future__ import annotations

from datetime import UTC, date, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from node.extensions import db
from node.models import AnnualReportSending, AuditEntry
from node.services.annual_report_sending import (
    annual_report_owed,
    due_on,
    latest_reported_period,
    send_annual_report,
)
from node.services.errors import Conflict
from node.services.scopes import Official
from tests.node.officials_helpers import html, sign_in

pytestmark = pytest.mark.usefixtures("fixed_clock")
API = "/api/v1/annual-reports"
SEND = f"{API}/sendings"
PAGE = "/officials/reports/annual"


def sendings_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(AnnualReportSending))


def test_the_report_is_owed_from_the_close_of_the_review_it_reports_on():
    assert due_on(2027) == date(2026, 12, 15)
    assert latest_reported_period(date(2026, 12, 14)) == 2026
    assert latest_reported_period(date(2026, 12, 15)) == 2027
    assert latest_reported_period(date(2027, 3, 1)) == 2027


def test_the_commune_sends_its_report_once_through_the_api(client, login_as, db_session):
    officer = login_as("commune_officer")
    answer = client.post(SEND, json={"period": 2026}, headers=officer)

    assert answer.status_code == 201
    body = answer.get_json()
    assert (body["unit"], body["period"]) == ("00070", 2026)
    assert body["sent_at"].startswith("2026-11-24")
    again = client.post(SEND, json={"period": 2026}, headers=login_as("commune_chair"))
    assert again.status_code == 409
    assert sendings_count(db_session) == 1
    audited = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "send_annual_report")
    ).all()
    assert len(audited) == 1
    read = client.get(f"{API}?period=2026", headers=officer).get_json()
    assert read["sent_at"] == body["sent_at"]
    assert read["rows"]  # still the report itself
    assert client.get(f"{API}?period=2025", headers=officer).get_json()["sent_at"] is None


def test_open_reviews_bad_periods_and_other_roles_are_refused(client, login_as, db_session):
    officer = login_as("commune_officer")
    answer = client.post(SEND, json={"period": 2027}, headers=officer)
    assert answer.status_code == 422
    assert "not_over" in str(answer.get_json())
    for period in ("２０２６", "2026\x00", 1999, 10**12, None, "abc"):
        answer = client.post(SEND, json={"period": period}, headers=officer)
        assert answer.status_code == 422, period
    assert client.post(SEND, json={}, headers=officer).status_code == 422
    for role in ("province_officer", "village_head"):
        answer = client.post(SEND, json={"period": 2026}, headers=login_as(role))
        assert answer.status_code == 403, role
    assert sendings_count(db_session) == 0


def test_a_second_click_at_the_same_moment_meets_the_unique_key(db_session, make_user):
    user = make_user("commune_officer")
    officer = Official(user.id, user.username, "commune_officer", frozenset({"00070"}))
    now = datetime(2026, 11, 24, 3, tzinfo=UTC)
    db_session.add(AnnualReportSending(commune_code="00070", period=2026, sent_at=now,
                                       sent_by=user.id))  # fmt: skip
    db_session.flush()
    with pytest.raises(Conflict):
        send_annual_report(db_session, officer, 2026, now, date(2026, 11, 24))
    assert sendings_count(db_session) == 1


def test_the_commune_marks_it_on_the_page_and_the_province_sees_who_sent(
    app, make_user, db_session
):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    before = html(officer.get(f"{PAGE}?period=2026"))
    assert "Đánh dấu đã gửi tỉnh" in before
    assert "15/12/2025" in before
    assert "Đánh dấu đã gửi tỉnh" not in html(officer.get(f"{PAGE}?period=2027"))
    sent = officer.post(f"{PAGE}/sent", {"period": "2026"})
    assert sent.status_code == 303
    after = html(officer.get(f"{PAGE}?period=2026"))
    assert "data-sent" in after
    assert "Đánh dấu đã gửi tỉnh" not in after
    again = officer.post(f"{PAGE}/sent", {"period": "2026"})
    assert again.status_code == 409
    assert "đã được gửi tỉnh" in html(again)
    assert officer.post(f"{PAGE}/sent", {"period": "2027"}).status_code == 422
    assert officer.post(f"{PAGE}/sent", {"period": "x"}).status_code == 422
    assert sendings_count(db_session) == 1

    province = sign_in(app, make_user, db_session, "province_officer")
    page = html(province.get(f"{PAGE}?period=2026"))
    sendings = page.split("data-sendings")[1].split("</table>")[0]
    assert "Chưa gửi" in sendings.split('data-commune="00073"')[1].split("</tr>")[0]
    assert "Đã gửi lúc" in sendings.split('data-commune="00070"')[1].split("</tr>")[0]
    body = province.get(f"{API}?period=2026", headers=province.bearer).get_json()
    by_code = {c["code"]: c["sent_at"] for c in body["communes"]}
    assert by_code["00070"] is not None
    assert by_code["00073"] is None
    assert province.post(f"{PAGE}/sent", {"period": "2026"}).status_code == 403


def test_the_worklist_flags_the_report_overdue_until_it_is_sent(app, make_user, db_session):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    worklist = html(officer.get("/officials/"))  # the 2026 report was due on 15/12/2025
    assert 'data-annual-report="overdue"' in worklist
    assert "15/12/2025" in worklist
    officer.post(f"{PAGE}/sent", {"period": "2026"})
    assert "data-annual-report" not in html(officer.get("/officials/"))


def test_before_its_due_day_the_report_is_owed_but_not_overdue(db_session):
    owed = annual_report_owed(db_session, "00070", date(2026, 12, 15))
    assert (owed.period, owed.due_on, owed.overdue) == (2027, date(2026, 12, 15), False)
    assert annual_report_owed(db_session, "00070", date(2026, 12, 16)).overdue


def test_the_migration_creates_the_table_and_drops_it(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision="3b9d6e2f8a41")
        assert "annual_report_sendings" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "annual_report_sendings" in sa.inspect(db.engine).get_table_names()
        flask_migrate.downgrade(revision="3b9d6e2f8a41")
        assert "annual_report_sendings" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
