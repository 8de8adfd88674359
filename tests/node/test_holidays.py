"""The working-day calendar (issue 14 part 4): Vietnam's public holidays come from the `holidays`
package, so a deadline computed in early 2027 skips Tết with nothing typed in; the province
admin adds a day off or makes a day a working day (the government's yearly swaps), undoes
either; `giamngheo node holidays --year` prints the year with each day's source; the migration
keeps the rows already entered as days off added."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from node.cli import cli
from node.extensions import db
from node.models import AuditEntry, Holiday
from node.services.calendar import WorkingCalendar, load_calendar, public_holidays
from tests.node.officials_helpers import html, new_application, sign_in
from tests.node.review_helpers import act

pytestmark = pytest.mark.usefixtures("fixed_clock")

TET_2027 = [date(2027, 2, day) for day in (5, 6, 7, 8, 9, 10)]
# Mon 1 Feb 2027 + 15 working days: Tết (Thu 4 – Wed 10 Feb) is skipped.
START = date(2027, 2, 1)
DUE_WITH_TET = date(2027, 3, 1)
DUE_WITHOUT_TET = date(2027, 2, 22)


@pytest.fixture
def admin_browser(app, make_user, db_session):
    return sign_in(app, make_user, db_session, "province_admin")


def test_the_package_knows_tet_and_the_hung_kings_day():
    days = public_holidays(2027)
    assert all("Tết" in days[day] for day in TET_2027)
    assert "Hùng Vương" in days[date(2027, 4, 16)]  # 10th of the 3rd lunar month
    assert "Quốc khánh" in days[date(2027, 9, 2)]


def test_a_deadline_in_early_2027_skips_tet_with_nothing_entered(db_session):
    assert db_session.scalar(select(func.count()).select_from(Holiday)) == 0
    assert load_calendar(db_session).add_working_days(START, 15) == DUE_WITH_TET
    assert WorkingCalendar().add_working_days(START, 15) == DUE_WITHOUT_TET


def test_a_review_started_before_tet_is_due_after_it(client, team, fixed_clock, login_as):
    app_id = new_application(client, team.officer)  # filed in November, taken up in February
    fixed_clock.set(datetime(2027, 2, 1, 3, tzinfo=UTC))
    officer = login_as("commune_officer")  # months on: yesterday's token has expired
    started = act(client, officer, app_id, "start_review")
    assert started["due_on"] == DUE_WITH_TET.isoformat()


def test_the_admin_makes_a_tet_day_a_working_day_and_undoes_it(admin_browser, db_session):
    made = admin_browser.post("/admin/holidays/2027-02-10/remove")
    assert made.status_code == 303
    row = db_session.get(Holiday, date(2027, 2, 10))
    assert (row.change, row.name) == ("removed", public_holidays(2027)[date(2027, 2, 10)])
    assert load_calendar(db_session).add_working_days(START, 15) == date(2027, 2, 26)
    page = html(admin_browser.get("/admin/holidays?year=2027"))
    assert "Ngày làm việc do tỉnh đặt" in page
    assert "Ngày lễ, Tết" in page

    undone = admin_browser.post("/admin/holidays/2027-02-10/remove")
    assert undone.status_code == 303
    assert db_session.get(Holiday, date(2027, 2, 10)) is None
    assert load_calendar(db_session).add_working_days(START, 15) == DUE_WITH_TET
    actions = db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["remove_holiday", "undo_calendar_change"]


def test_the_admin_swaps_a_day_off_for_a_saturday(admin_browser, db_session):
    # The government's kind of swap: Thu 11 Feb off, Sat 20 Feb worked in exchange.
    off = admin_browser.post("/admin/holidays", {"day": "2027-02-11", "name": "Nghỉ bù Tết"})
    worked = admin_browser.post(
        "/admin/holidays/working-days", {"day": "2027-02-20", "name": "Làm bù ngày 11/02"}
    )
    assert (off.status_code, worked.status_code) == (303, 303)
    calendar = load_calendar(db_session)
    assert not calendar.is_working_day(date(2027, 2, 11))
    assert calendar.is_working_day(date(2027, 2, 20))
    assert calendar.add_working_days(START, 15) == DUE_WITH_TET  # one day lost, one gained


def test_the_admins_changes_are_refused_cleanly(admin_browser, db_session):
    weekday = admin_browser.post(
        "/admin/holidays/working-days", {"day": "2027-02-17", "name": "Làm bù"}
    )
    assert weekday.status_code == 422
    assert "Chỉ thứ Bảy hoặc Chủ nhật mới đặt được thành ngày làm việc." in html(weekday)
    package_day = admin_browser.post("/admin/holidays", {"day": "2027-02-08", "name": "Tết"})
    assert package_day.status_code == 422
    for form in ({"day": "2027-02-11", "name": "Nghỉ\x00"}, {"day": "２０２７-02-11", "name": "x"},
                 {"day": "2027-02-11", "name": "x" * 101}):  # fmt: skip
        assert admin_browser.post("/admin/holidays", form).status_code == 422
    assert admin_browser.post("/admin/holidays/2027-02-12/remove").status_code == 404
    assert db_session.scalar(select(func.count()).select_from(Holiday)) == 0


def test_only_the_province_admin_changes_the_calendar(app, make_user, db_session):
    officer = sign_in(app, make_user, db_session, "province_officer")
    assert officer.post("/admin/holidays/2027-02-10/remove").status_code == 403
    assert (
        officer.post(
            "/admin/holidays/working-days", {"day": "2027-02-20", "name": "Làm bù"}
        ).status_code
        == 403
    )
    assert db_session.scalar(select(func.count()).select_from(Holiday)) == 0


def test_the_command_prints_the_year_with_each_days_source(runner, admin_browser, db_session):
    admin_browser.post("/admin/holidays", {"day": "2027-02-11", "name": "Nghỉ bù Tết"})
    admin_browser.post("/admin/holidays/2027-02-10/remove")

    result = runner.invoke(cli, ["holidays", "--year", "2027"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(re.fullmatch(r"2027-\d\d-\d\d .+ (package|added|removed)", line) for line in lines)
    assert "2027-02-06 Tết Nguyên Đán package" in lines
    assert "2027-02-11 Nghỉ bù Tết added" in lines
    assert "2027-02-10 Mùng năm Tết Nguyên Đán removed" in lines
    assert lines == sorted(lines)
    assert len(lines) == len(public_holidays(2027)) + 1
    assert runner.invoke(cli, ["holidays", "--year", "20x7"]).exit_code == 2


def test_the_migration_keeps_the_days_entered_as_added(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision="a7e3c1d5f902")
        db.session.execute(sa.text("INSERT INTO holidays (day, name) VALUES ('2026-12-31', 'X')"))
        db.session.commit()
        flask_migrate.upgrade()
        assert db.session.execute(sa.text("SELECT change FROM holidays")).scalar() == "added"
        insert = "INSERT INTO holidays (day, name, change) VALUES (:day, :name, :change)"
        db.session.execute(sa.text(insert), {"day": "2027-02-10", "name": "Y", "change": "removed"})
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(insert), {"day": "2027-02-11", "name": "Z", "change": "x"})
        db.session.rollback()
        flask_migrate.downgrade(revision="a7e3c1d5f902")
        rows = db.session.execute(sa.text("SELECT day, name FROM holidays")).all()
        db.session.rollback()  # the read's transaction would hold the table from the upgrade
        assert [tuple(row) for row in rows] in ([(date(2026, 12, 31), "X")], [("2026-12-31", "X")])
        flask_migrate.upgrade()
