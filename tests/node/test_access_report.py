"""`giamngheo node access-report` (issue 18 part 4, breach response): from the audit log, every
record an account read or exported in a window — a file opened, each application on a printed
posting list — by whom and when, then the people concerned once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from node.cli import cli
from node.models import Application, AuditEntry, HouseholdStatus, Posting, User
from node.services.aggregates import ON_THE_LISTS
from node.services.monitoring import ACCESS_ACTIONS
from tests.metrics_contract import samples, scrape
from tests.node.officials_helpers import posted
from tests.node.review_helpers import application_id, submit

pytestmark = pytest.mark.usefixtures("fixed_clock")

DAY = "2026-11-24"  # the tests' today (Vietnam time)


def rows(output: str) -> list[list[str]]:
    """The accesses' lines (before the people concerned), split into columns."""
    accesses = output.split("# People concerned")[0]
    return [line.split("\t") for line in accesses.splitlines() if not line.startswith("#")][1:]


@pytest.fixture
def files(client, team, db_session) -> dict[str, str]:
    """Three applications: tracking code → applicant's name (all named alike by the builder,
    so each is told apart by its code)."""
    codes = [submit(client)["tracking_code"] for _ in range(3)]
    return {code: db_session.scalar(select(Application.applicant_name)) for code in codes}


def test_the_report_names_every_record_an_account_read(
    client, runner, db_session, team, files, fixed_clock
):
    a, b, c = files
    ids = {code: application_id(client, team["officer"], code) for code in files}
    client.get(f"/api/v1/applications/{ids[a]}", headers=team["officer"])
    client.get(f"/api/v1/applications/{ids[b]}", headers=team["officer"])
    client.get(f"/api/v1/applications/{ids[a]}", headers=team["chair"])
    fixed_clock.advance(timedelta(days=2))  # outside the window
    client.get(f"/api/v1/applications/{ids[c]}", headers=team["officer"])
    username = db_session.get(User, team.officer.user_id).username

    result = runner.invoke(
        cli, ["access-report", "--since", DAY, "--until", DAY, "--user", username]
    )

    assert result.exit_code == 0, result.output
    reads = [r for r in rows(result.output) if r[3] == "read"]
    assert [(r[1], r[2], r[4]) for r in reads] == [
        (username, "commune_officer", f"application {a}"),
        (username, "commune_officer", f"application {b}"),
    ]
    assert all(r[5] == "Nguyễn Thị Lan" and r[6] == "001190012345" for r in reads)
    assert f"application {c}" not in result.output
    people = result.output.split("# People concerned: ")[1]
    assert people.startswith("2\n")

    everyone = runner.invoke(cli, ["access-report", "--since", DAY, "--until", DAY])
    assert ("commune_chair", f"application {a}") in {
        (r[2], r[4]) for r in rows(everyone.output) if r[3] == "read"
    }


def test_a_printed_list_names_each_application_on_it(client, runner, team, files, db_session):
    a = next(iter(files))
    posted(client, team, application_id(client, team["officer"], a))
    posting = db_session.scalar(select(Posting.id))

    assert team.officer.get(f"/officials/postings/{posting}/list").status_code == 200
    result = runner.invoke(cli, ["access-report", "--since", DAY])

    printed = [r for r in rows(result.output) if r[3] == "print_posting"]
    assert [r[4] for r in printed] == [f"application {a}"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "24/11/2026"], "--since must be a date"),
        (["--since", "２０２６-11-24"], "--since must be a date"),
        (["--since", DAY, "--until", "2026-11-01"], "--until is before --since"),
        (["--since", DAY, "--user", "nobody"], "No account is named"),
    ],
)
def test_bad_input_is_refused(runner, arguments, message):
    result = runner.invoke(cli, ["access-report", *arguments])

    assert result.exit_code == 2
    assert message in result.output


def test_metrics_show_the_busiest_account_by_role_never_by_name(
    client, db_session, team, files, fixed_clock
):
    ids = [application_id(client, team["officer"], code) for code in files]
    for app_id in ids:
        client.get(f"/api/v1/applications/{app_id}", headers=team["officer"])
    client.get(f"/api/v1/applications/{ids[0]}", headers=team["chair"])
    officer_reads = db_session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.user_id == team.officer.user_id, AuditEntry.action.in_(ACCESS_ACTIONS))
    )

    response = client.get("/metrics")
    found = scrape(client)

    busiest = samples(found["giamngheo_personal_data_reads_busiest_account"])
    assert busiest[(("role", "commune_officer"),)] == officer_reads >= 4
    assert busiest[(("role", "commune_chair"),)] == 1
    assert busiest[(("role", "village_head"),)] == 0
    username = db_session.get(User, team.officer.user_id).username
    assert username not in response.get_data(as_text=True)
    fixed_clock.advance(timedelta(minutes=16))  # the window has passed
    later = samples(scrape(client)["giamngheo_personal_data_reads_busiest_account"])
    assert later[(("role", "commune_officer"),)] == 0


def test_an_r5_export_names_every_household_on_it(app, client, runner, db_session, monkeypatch,
                                                  login_as):  # fmt: skip
    monkeypatch.setitem(app.config, "PROVINCE_CODE", "12")
    assert runner.invoke(cli, ["seed-demo", "--households", "300"]).exit_code == 0
    listed = set(
        db_session.scalars(
            select(HouseholdStatus.household_id).where(
                HouseholdStatus.period == 2026, HouseholdStatus.classification.in_(ON_THE_LISTS)
            )
        )
    )
    assert listed
    province = login_as("province_officer", ["12"])
    exported = client.get("/api/v1/reports/R5?unit=12&period=2026&format=csv", headers=province)
    assert exported.status_code == 200
    assert exported.get_data(as_text=True).count("\n") > len(listed)  # read to its end (streamed)
    exported.close()

    result = runner.invoke(cli, ["access-report", "--since", DAY])

    assert result.exit_code == 0, result.output
    r5 = [r for r in rows(result.output) if r[3] == "report_r5"]
    assert {int(r[4].split()[1]) for r in r5} == listed
    assert all(r[2] == "province_officer" for r in r5)


def test_the_named_lists_name_every_household_on_them(app, client, runner, db_session,
                                                      monkeypatch, login_as):  # fmt: skip
    """Reading the average-livelihood list or the low-income workers' list (their heads' and
    workers' names) is a read of every household on it, and counts towards the busiest account."""
    monkeypatch.setitem(app.config, "PROVINCE_CODE", "12")
    assert runner.invoke(cli, ["seed-demo", "--households", "300"]).exit_code == 0
    status = HouseholdStatus
    on_lists = {
        "list_average_livelihood": set(db_session.scalars(select(status.household_id).where(
            status.period == 2026, status.classification == "average", status.average_livelihood
        ))),
        "list_low_income_workers": set(db_session.scalars(select(status.household_id).where(
            status.period == 2026, status.low_income_workers > 0
        ))),
    }  # fmt: skip
    assert all(on_lists.values())  # the demo's confirmations put households on both
    province = login_as("province_officer", ["12"])
    for path in ("/api/v1/lists/average-livelihood", "/api/v1/low-income-workers"):
        assert client.get(f"{path}?unit=12&period=2026", headers=province).status_code == 200

    result = runner.invoke(cli, ["access-report", "--since", DAY])

    assert result.exit_code == 0, result.output
    for action, households in on_lists.items():
        named = [r for r in rows(result.output) if r[3] == action]
        assert {int(r[4].split()[1]) for r in named} == households, action
    assert {"list_average_livelihood", "list_low_income_workers"} <= set(ACCESS_ACTIONS)
