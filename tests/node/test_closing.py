"""Schema v2 at the node: the review's activity and the projection under the next standard in
each commune's row, and the year close (`close-period`, the admin's page) that makes a period's
snapshot official — a later close a new revision, changed figures provisional again."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from node.cli import cli
from node.models import AuditEntry, PeriodClose, Snapshot
from node.services import closing
from node.services.aggregates import build_snapshot
from node.services.aggregates_v2 import next_standard
from shared.schemas import AggregateSnapshotSchema
from tests.node.officials_helpers import html, sign_in
from tests.node.review_helpers import act, application_id, submit
from tests.node.test_aggregates import recognised  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("fixed_clock")


def body_of(snapshot):
    return AggregateSnapshotSchema().load(json.loads(snapshot.body))


def row_of(document, code="00070"):
    return next(row for row in document["rows"] if row["commune_code"] == code)


def latest(db_session):
    return db_session.scalar(select(Snapshot).order_by(Snapshot.id.desc()).limit(1))


def test_the_next_standard():
    assert next_standard(2026).id == "VN-2027-2030"
    assert next_standard(2022).id == "VN-2027-2030"
    assert next_standard(2027) is None


def test_rows_count_the_review_activity_and_the_projection(db_session, recognised):  # noqa: F811
    document = body_of(build_snapshot(db_session, "01", 2026, closing_now()))

    assert document["schema_version"] == 2
    assert document["official"] is None
    row = row_of(document)
    assert row["activity"] == {
        "applications_received": 4,
        "verified": 3,
        # Declared: no deprivation (near-poor); verified: three (poor) for two of them.
        "verified_class_changed": 2,
        "meeting_votes": 3,
        "meeting_votes_unanimous": 3,  # 6 of 6 agreed
        "applications_overdue": 0,
    }
    projected = row["projected"]
    assert projected["standard_id"] == "VN-2027-2030"
    assert projected["households"] == 3
    assert (projected["poor"], projected["near_poor"]) == (2, 1)
    assert (projected["current"]["poor"], projected["current"]["near_poor"]) == (2, 1)
    assert projected["deprived"]["drinking_water"] == 2
    assert "information_access" not in projected["deprived"]
    assert projected["current"]["deprived"]["drinking_water"] == 2
    quiet = row_of(document, "00073")
    assert quiet["projected"]["households"] == 0
    assert set(quiet["activity"].values()) == {0}


def test_the_projection_is_null_without_a_later_standard(db_session):
    document = body_of(build_snapshot(db_session, "01", 2027, closing_now()))
    assert {row["projected"] is None for row in document["rows"]} == {True}


def test_a_meeting_that_did_not_agree_unanimously_is_not_counted_so(db_session, client, team):
    from tests.node.review_helpers import MEETING_DAY, on_day, to_verified

    app_id = application_id(client, team["officer"], submit(client)["tracking_code"])
    to_verified(client, team["officer"], team["head"], app_id, team["head_id"])
    with on_day(client, MEETING_DAY):
        act(client, team["head"], app_id, "record_meeting", held_on=MEETING_DAY.isoformat(),
            attendees=10, agreeing=7)  # fmt: skip
    row = row_of(body_of(build_snapshot(db_session, "01", 2026, closing_now())))
    assert (row["activity"]["meeting_votes"], row["activity"]["meeting_votes_unanimous"]) == (1, 0)


def closing_now():
    from tests.node.review_helpers import NOW

    return NOW


def test_close_period_makes_the_snapshot_official(runner, db_session, recognised):  # noqa: F811
    result = runner.invoke(
        cli,
        ["close-period", "--period", "2026", "--decision-number", " 4521/qđ-ubnd ",
         "--decided-on", "2026-11-20"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "revision 1" in result.output
    document = body_of(latest(db_session))
    assert document["official"] == {
        "decision_number": "4521/QĐ-UBND",
        "decided_on": "2026-11-20",
        "revision": 1,
    }
    close = db_session.scalar(select(PeriodClose))
    assert close.snapshot_id == document["snapshot_id"]
    assert (
        db_session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "close_period")
        )
        == 1
    )


def test_changed_figures_are_provisional_until_closed_again(
    runner,
    db_session,
    client,
    recognised,  # noqa: F811
):
    args = ["close-period", "--period", "2026", "--decision-number", "4521/QĐ-UBND",
            "--decided-on", "2026-11-20"]  # fmt: skip
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 2
    assert "already closed" in again.output

    # A new application changes the figures: the rebuilt snapshot is provisional again.
    submit(client, applicant={"full_name": "Phạm Văn Nam", "citizen_id": "001085000999",
                              "phone": "0912000999"})  # fmt: skip
    rebuilt = body_of(build_snapshot(db_session, "01", 2026, closing_now()))
    assert rebuilt["official"] is None

    second = runner.invoke(cli, [*args[:4], "4600/QĐ-UBND", "--decided-on", "2026-11-23"])
    assert second.exit_code == 0, second.output
    assert body_of(latest(db_session))["official"]["revision"] == 2
    revisions = db_session.scalars(select(PeriodClose.revision).order_by(PeriodClose.id)).all()
    assert revisions == [1, 2]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--period", "1999"], "--period"),
        (["--period", "2031"], "--period"),
        (["--period", "٢٠٢٦"], "--period"),
        (["--period", "2026x"], "--period"),
        (["--decision-number", "Quyết định phê duyệt"], "--decision-number"),
        (["--decision-number", '=HYPERLINK("x")'], "--decision-number"),
        (["--decision-number", "1/QĐ-UBND\x00"], "--decision-number"),
        (["--decision-number", "1/QĐ-" + "A" * 100], "--decision-number"),
        (["--decided-on", "2026-02-30"], "--decided-on"),
        (["--decided-on", "28/11/2026"], "--decided-on"),
        (["--decided-on", "٢٠٢٦-١١-٢٧"], "--decided-on"),
        (["--decided-on", "2026-12-31"], "--decided-on"),  # in the future
        (["--decided-on", "2024-01-01"], "--decided-on"),  # back-dated before the period's
    ],
)
def test_close_period_refuses_bad_input_and_writes_nothing(runner, db_session, args, named):
    defaults = {"--period": "2026", "--decision-number": "1/QĐ-UBND", "--decided-on": "2026-11-20"}
    options = dict(defaults) | dict(zip(args[::2], args[1::2], strict=True))
    result = runner.invoke(cli, ["close-period", *[x for kv in options.items() for x in kv]])

    assert result.exit_code == 2, result.output
    assert named in result.output
    assert db_session.scalar(select(func.count()).select_from(PeriodClose)) == 0
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 0


def test_normalized_decision_numbers():
    assert closing.normalize_decision_number("123/qđ-ubnd") == "123/QĐ-UBND"
    assert closing.normalize_decision_number("123 / QĐ-UBND") is None
    assert closing.normalize_decision_number("123/QĐ-UBND\n") == "123/QĐ-UBND"


@pytest.fixture
def admin_browser(app, make_user, db_session):
    return sign_in(app, make_user, db_session, "province_admin")


def test_the_admin_closes_a_period_on_the_web(admin_browser, db_session):
    page = html(admin_browser.get("/admin/periods"))
    assert "Chốt số liệu" in page
    form = {"period": "2026", "decision_number": "77/qđ-ubnd", "decided_on": "2026-11-20"}
    response = admin_browser.post("/admin/periods", form)

    assert response.status_code == 303
    listed = html(admin_browser.get("/admin/periods"))
    assert "77/QĐ-UBND" in listed
    assert "20/11/2026" in listed
    close = db_session.scalar(select(PeriodClose))
    assert (close.revision, close.closed_by is not None) == (1, True)
    again = admin_browser.post("/admin/periods", form)
    assert again.status_code == 409
    assert db_session.scalar(select(func.count()).select_from(PeriodClose)) == 1


@pytest.mark.parametrize(
    "form",
    [
        {"period": "2026", "decision_number": "", "decided_on": "2026-11-20"},
        {"period": "2026", "decision_number": "Nguyễn Văn An", "decided_on": "2026-11-20"},
        {"period": "2026", "decision_number": "=1+1", "decided_on": "2026-11-20"},
        {"period": "2026", "decision_number": "77/QĐ-UBND", "decided_on": "2027-01-01"},
        {"period": "2026", "decision_number": "77/QĐ-UBND", "decided_on": "2020-01-01"},
        {"period": "20260", "decision_number": "77/QĐ-UBND", "decided_on": "2026-11-20"},
        {"period": "٢٠٢٦", "decision_number": "77/QĐ-UBND", "decided_on": "2026-11-20"},
        {"period": "2026", "decision_number": "77/QĐ-UBND" * 10, "decided_on": "2026-11-20"},
        {"period": "2026", "decision_number": "77/QĐ-UBND\x00", "decided_on": "2026-11-20"},
        {
            "period": "2026",
            "decision_number": "77/QĐ-UBND",
            "decided_on": "2026-11-20",
            "extra": "x",
        },
    ],
)
def test_the_web_form_refuses_bad_input_and_writes_nothing(admin_browser, db_session, form):
    response = admin_browser.post("/admin/periods", form)

    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(PeriodClose)) == 0
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 0


@pytest.mark.parametrize("role", ["province_officer", "commune_officer", "village_head"])
def test_only_the_province_admin_closes(app, make_user, db_session, role):
    browser = sign_in(app, make_user, db_session, role)
    assert browser.get("/admin/periods").status_code == 403
    response = browser.post(
        "/admin/periods",
        {"period": "2026", "decision_number": "77/QĐ-UBND", "decided_on": "2026-11-20"},
    )
    assert response.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(PeriodClose)) == 0


def test_close_period_service_checks(db_session):
    with pytest.raises(closing.ValidationFailed) as caught:
        closing.check_close(None, None, None, date(2026, 11, 28))
    assert set(caught.value.fields) == {"period", "decision_number", "decided_on"}
