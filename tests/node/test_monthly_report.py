"""The regular review's monthly report (issue 14 part 1, Decision 24/2021 Art. 7): counted from
the node's data for a commune or the province, due on the 5th of the next month for January to
August, read on a page and through the API by the commune and the province."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from node.services import accounts
from node.services.monthly_report import due_on, parse_month
from node.services.monthly_report_sending import latest_reported_month
from shared.web.auth import SESSION_KEY
from tests.node.officials_helpers import html
from tests.node.test_aggregates import recognised  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("fixed_clock")
API = "/api/v1/monthly-reports"


def page_on(app, make_user, db_session, role: str, moment: datetime) -> str:
    """The worklist as a new official of ``role`` signed in at ``moment`` sees it."""
    user = make_user(role)
    web = accounts.open_session(db_session, user, accounts.WEB, now=moment)
    db_session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = web
    return html(client.get("/officials/"))


def test_the_report_is_due_on_the_5th_from_february_to_september():
    assert due_on(date(2027, 1, 1)) == date(2027, 2, 5)
    assert due_on(date(2026, 8, 1)) == date(2026, 9, 5)
    assert due_on(date(2026, 9, 1)) is None  # the periodic review's season
    assert due_on(date(2026, 12, 1)) is None
    assert parse_month("2026-11") == date(2026, 11, 1)
    for bad in ("2026-13", "2026-1", "２０２６-11", "2026/11", "", None, "1999-12"):
        assert parse_month(bad) is None


def test_the_month_counts_what_the_commune_received_and_decided(client, recognised):  # noqa: F811
    answer = client.get(f"{API}?month=2026-11", headers=recognised["officer"])

    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["unit"], body["month"], body["due_on"]) == ("00070", "2026-11", None)
    figures = body["figures"]
    assert (figures["received_enter"], figures["received_exit"]) == (4, 0)
    assert (figures["new_poor"], figures["new_near_poor"]) == (2, 1)
    assert (figures["exited_poor"], figures["refused"], figures["average_livelihood"]) == (0, 0, 0)
    assert sorted(line["key"] for line in body["lines"]) == sorted(figures)
    october = client.get(f"{API}?month=2026-10", headers=recognised["officer"]).get_json()
    assert set(october["figures"].values()) == {0}


def test_the_province_reads_every_commune_and_the_village_head_none(client, recognised, login_as):  # noqa: F811
    province = login_as("province_officer")
    whole = client.get(f"{API}?month=2026-11", headers=province).get_json()
    assert (whole["unit"], whole["figures"]["new_poor"]) == ("01", 2)
    other = client.get(f"{API}?month=2026-11&unit=00073", headers=province).get_json()
    assert other["figures"]["new_poor"] == 0
    assert client.get(f"{API}?month=2026-11", headers=recognised["head"]).status_code == 403
    outsider = login_as("commune_officer", units=["00073"])
    assert client.get(f"{API}?month=2026-11&unit=00070", headers=outsider).status_code == 404
    for bad in ("2026-13", "x" * 7, "2026-1"):
        assert client.get(f"{API}?month={bad}", headers=province).status_code == 422


def test_the_commune_reads_it_on_its_page(recognised):  # noqa: F811
    officer = recognised.officer
    assert "Báo cáo tháng kết quả rà soát thường xuyên" in html(officer.get("/officials/reports"))

    november = html(officer.get("/officials/reports/monthly?month=2026-11"))
    assert "Hộ nghèo phát sinh được công nhận</td><td>2</td>" in november
    assert "Không có báo cáo tháng" in november
    august = html(officer.get("/officials/reports/monthly?month=2026-08"))
    assert "05/09/2026" in august
    default = html(officer.get("/officials/reports/monthly?month=20x6-11"))
    assert 'value="2026-10"' in default  # the month before today's (24 November)


def test_the_commune_worklist_shows_the_report_until_it_is_sent(app, make_user, db_session,
                                                                fixed_clock):  # fmt: skip
    assert latest_reported_month(date(2027, 2, 3)) == date(2027, 1, 1)
    assert latest_reported_month(date(2026, 10, 2)) == date(2026, 8, 1)  # not September's
    assert latest_reported_month(date(2027, 1, 20)) == date(2026, 8, 1)
    on_the_3rd = datetime(2027, 2, 3, 3, tzinfo=UTC)
    fixed_clock.set(on_the_3rd)
    page = page_on(app, make_user, db_session, "commune_officer", on_the_3rd)
    assert "Báo cáo tháng kết quả rà soát thường xuyên tháng 1/2027" in page
    assert "hạn 05/02/2027" in page
    assert 'data-monthly-report="due"' in page
    assert "Báo cáo tháng" not in page_on(app, make_user, db_session, "village_head", on_the_3rd)
    on_the_6th = datetime(2027, 2, 6, 3, tzinfo=UTC)
    fixed_clock.set(on_the_6th)
    overdue = page_on(app, make_user, db_session, "commune_chair", on_the_6th)
    assert 'data-monthly-report="overdue"' in overdue
    assert "quá hạn từ 05/02/2027" in overdue
