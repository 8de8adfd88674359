"""What keeps a request's cost flat (issue 17): tallies equal to the statuses they sum, identities
kept as rows (and migrated from the JSON), pages by key, counts with a ceiling, R5 streamed."""

from __future__ import annotations

import csv
import io
import json

import flask_migrate
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from node.extensions import db
from node.models import DeprivationTally, StatusTally, VerificationIdentity
from node.services import paging, tallies
from node.services.errors import ValidationFailed
from tests.node import test_aggregates
from tests.node.review_helpers import (
    act,
    application_id,
    submit,
    to_posted,
    verified_facts,
)

APPLICANTS = test_aggregates.APPLICANTS
recognised = test_aggregates.recognised  # the fixture: three households recognised in 00070
pytestmark = pytest.mark.usefixtures("fixed_clock")


def _tallies(session) -> tuple[list, list]:
    statuses = session.execute(
        sa.select(StatusTally).order_by(
            StatusTally.period, StatusTally.commune_code, StatusTally.classification
        )
    ).scalars()
    deprivations = session.execute(
        sa.select(DeprivationTally).order_by(
            DeprivationTally.period, DeprivationTally.commune_code, DeprivationTally.indicator
        )
    ).scalars()
    keep = lambda row, names: {n: getattr(row, n) for n in names}  # noqa: E731
    status_names = [c.name for c in StatusTally.__table__.columns]
    deprivation_names = [c.name for c in DeprivationTally.__table__.columns]
    return (
        [keep(r, status_names) for r in statuses if r.households],
        [keep(r, deprivation_names) for r in deprivations if r.households],
    )


def test_the_decisions_keep_the_tallies_equal_to_a_count_of_the_statuses(
    db_session,
    recognised,
    client,
):
    kept = _tallies(db_session)
    # The same households decided again for the period (a re-review): counted once.
    team = recognised
    tracking = submit(client)["tracking_code"]
    again = application_id(client, team["officer"], tracking)
    to_posted(client, team["officer"], team["head"], again, team["head_id"],
              facts=verified_facts(poor=False))  # fmt: skip
    flags = client.get(f"/api/v1/applications/{again}", headers=team["officer"]).get_json()
    for flag in flags["duplicates"]:
        client.post(f"/api/v1/duplicates/{flag['id']}/resolve", json={"resolution": "distinct"},
                    headers=team["officer"])  # fmt: skip
    act(client, team["chair"], again, "decide", number="6/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    kept = _tallies(db_session)

    tallies.recount(db_session, 2026)

    assert kept == _tallies(db_session)
    assert sum(row["households"] for row in kept[0]) == 3  # the re-decided one not twice


def test_verification_records_each_citizen_id_as_a_row(db_session, recognised):
    rows = db_session.scalars(sa.select(VerificationIdentity.citizen_id)).all()
    # Three verified households, each a head with an ID and a child without one.
    assert sorted(rows) == sorted(citizen_id for _, citizen_id, _ in APPLICANTS)


def test_the_migration_fills_identities_and_tallies_from_what_is_there(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision="7c0e5d2a9b13")
        connection = db.session.connection()
        connection.execute(sa.text(
            "INSERT INTO users (id, username, role, password_hash, password_changed_at)"
            " VALUES (1, 'u', 'commune_officer', 'x', '2026-11-24')"))  # fmt: skip
        connection.execute(sa.text(
            "INSERT INTO applications (id, tracking_code, kind, channel, status, period,"
            " commune_code, applicant_name, applicant_citizen_id, applicant_phone,"
            " declared_facts, standard_id, self_assessment, self_classification, submitted_at,"
            " updated_at, version) VALUES (7, 'T1', 'enter', 'portal', 'under_review', 2026,"
            " '00070', 'A', '001085000111', '0912', '{}', 's', '{}', 'poor', '2026-11-24',"
            " '2026-11-24', 1)"))  # fmt: skip
        identities = [{"full_name": "A", "citizen_id": "001085000111"},
                      {"full_name": "B", "citizen_id": None}, {"full_name": "C", "citizen_id": ""},
                      {"full_name": "D", "citizen_id": "001187000222"}]  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO verifications (application_id, verified_by, verified_at, facts,"
                " identities, assessment, classification, standard_id) VALUES (7, 1,"
                " '2026-11-24', '{}', :identities, '{}', 'poor', 's')"
            ),
            {"identities": json.dumps(identities)},
        )
        connection.execute(sa.text(
            "INSERT INTO households (id, commune_code, area, head_name, head_citizen_id)"
            " VALUES (1, '00070', 'urban', 'A', '001085000111'),"
            " (2, '00070', 'rural', 'B', '001085000112')"))  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO household_statuses (id, household_id, period, commune_code,"
                " classification, standard_id, area, ethnic_minority, previous_classification,"
                " fell_back, members_count, decided_on) VALUES"
                " (1, 1, 2026, '00070', 'poor', 's', 'urban', true, NULL, false, 4, :day),"
                " (2, 2, 2026, '00070', 'poor', 's', 'rural', false, 'poor', false, 2, :day)"
            ),
            {"day": "2026-11-24"},
        )
        connection.execute(
            sa.text(
                "INSERT INTO status_deprivations (status_id, indicator, period, commune_code)"
                " VALUES (1, 'sanitation', 2026, '00070'), (2, 'sanitation', 2026, '00070')"
            )
        )
        db.session.commit()

        # This migration's counts as they were (the next one takes areas from the units).
        flask_migrate.upgrade(revision="bb70b198b950")

        found = db.session.execute(sa.text(
            "SELECT application_id, position, citizen_id FROM verification_identities"
            " ORDER BY position")).all()  # fmt: skip
        tally = db.session.execute(sa.text(
            "SELECT households, urban, ethnic_minority, newly_listed, was_poor, members"
            " FROM status_tallies")).one()  # fmt: skip
        deprived = db.session.execute(sa.text(
            "SELECT indicator, households FROM deprivation_tallies")).all()  # fmt: skip
    assert [tuple(row) for row in found] == [(7, 0, "001085000111"), (7, 3, "001187000222")]
    assert tuple(tally) == (2, 1, 1, 1, 1, 6)
    assert [tuple(row) for row in deprived] == [("sanitation", 2)]


# ------------------------------------------------------------------------------ paging


def _submit_many(client, count):
    return [submit(client)["tracking_code"] for _ in range(count)]


def test_the_list_pages_by_key_forward_and_back(client, login_as):
    login_as("village_head", ["00070-001"])
    officer = login_as("commune_officer")
    _submit_many(client, 7)
    whole = client.get("/api/v1/applications?per_page=200", headers=officer).get_json()
    expected = [item["id"] for item in whole["items"]]

    seen, after, pages = [], None, []
    while True:
        query = f"&after={after}" if after else ""
        page = client.get(f"/api/v1/applications?per_page=3{query}", headers=officer).get_json()
        pages.append(page)
        seen += [item["id"] for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    back = client.get(
        f"/api/v1/applications?per_page=3&before={pages[-1]['previous_before']}", headers=officer
    ).get_json()

    assert seen == expected
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    assert pages[0]["previous_before"] is None
    assert [item["id"] for item in back["items"]] == expected[3:6]
    assert whole["total"] == 7
    assert whole["total_exact"] is True


def test_a_count_stops_at_its_cap(client, login_as, monkeypatch):
    login_as("village_head", ["00070-001"])
    officer = login_as("commune_officer")
    _submit_many(client, 4)
    monkeypatch.setattr(paging, "COUNT_CAP", 3)

    page = client.get("/api/v1/applications", headers=officer).get_json()
    work = client.get("/api/v1/worklist", headers=officer).get_json()

    assert (page["total"], page["total_exact"]) == (3, False)
    assert work["by_status"]["submitted"] == {"count": 3, "exact": False}
    assert len(page["items"]) == 4


def test_the_worklist_pages_by_deadline_then_files_without_one(client, team):
    officer, head_id = team["officer"], team["head_id"]
    codes = _submit_many(client, 5)
    ids = [application_id(client, officer, code) for code in codes]
    for app_id in ids[:3]:
        act(client, officer, app_id, "start_review", assign_to=head_id)

    seen, after = [], None
    while True:
        query = f"&after={after}" if after else ""
        page = client.get(f"/api/v1/worklist?per_page=2{query}", headers=officer).get_json()
        seen += [(item["id"], item["due_on"]) for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break

    due = [d for _, d in seen]
    assert sorted(i for i, _ in seen) == sorted(ids)
    assert None not in due[:3]
    assert due[:3] == sorted(due[:3])
    assert due[3:] == [None, None]
    assert [i for i, _ in seen[3:]] == sorted(ids[3:])
    assert page["by_status"]["under_review"] == {"count": 3, "exact": True}


@pytest.mark.parametrize(
    "token",
    ["x", "1-2-3", "１２３-4", "123-99999999999", "\x00", "9" * 40, "-1-5", "1" * 18 + "-1",
     "1-2147483648"],
)  # fmt: skip
def test_a_bad_page_token_is_refused_and_a_page_falls_back(client, login_as, login_web, token):
    login_as("village_head", ["00070-001"])
    officer = login_as("commune_officer")
    for path in ("/api/v1/applications?after=", "/api/v1/applications?before=",
                 "/api/v1/worklist?after="):  # fmt: skip
        answer = client.get(path + token, headers=officer)
        # A NUL is refused before the schema (shared.web.limits), anything else by it.
        assert answer.status_code == (400 if "\x00" in token else 422), (path, token)
        assert answer.get_json()["error"]
    login_web("commune_officer")
    page = 400 if "\x00" in token else 200  # the list from its start
    assert client.get(f"/officials/?after={token}").status_code == page
    assert client.get(f"/officials/applications?after={token}").status_code == page


@pytest.mark.parametrize("parse", [paging.parse_list_key, paging.parse_deadline_key])
def test_page_tokens_refuse_what_they_did_not_write(parse):
    for token in ("", " 1-1", "1-1 ", "1-2147483648", "٣-1"):
        with pytest.raises(ValidationFailed):
            parse(token)
    # A day that does not exist is no deadline.
    with pytest.raises(ValidationFailed):
        paging.parse_deadline_key("20261399-4")
    assert paging.parse_deadline_key("0-4") == (None, 4)


# --------------------------------------------------------------------------------- R5


def test_r5_files_stream_the_whole_list_in_order(client, recognised):
    officer = recognised["officer"]
    # Each streamed answer read before the next request (the test client keeps its context).
    rows = client.get("/api/v1/reports/R5?period=2026", headers=officer).get_json()["rows"]
    as_csv = client.get("/api/v1/reports/R5?period=2026&format=csv", headers=officer)
    table = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True).lstrip("\ufeff"))))
    as_xlsx = client.get("/api/v1/reports/R5?period=2026&format=xlsx", headers=officer)
    sheet = load_workbook(io.BytesIO(as_xlsx.data)).active
    listed = [row for row in sheet.iter_rows(min_row=8, values_only=True) if row[0]]

    assert [row["number"] for row in rows] == [1, 2, 3]
    assert [r[1] for r in table[1:]] == [row["head_name"] for row in rows]
    assert [r[1] for r in listed[:3]] == [row["head_name"] for row in rows]
    assert sheet["A7"].value == "STT"
    assert "no-store" in as_xlsx.headers["Cache-Control"]
    assert int(as_xlsx.headers["Content-Length"]) == len(as_xlsx.data)
