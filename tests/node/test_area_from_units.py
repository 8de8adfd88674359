"""A household's area follows its commune and village as the node records them, never the
resident's answer (issue 14 §3): the self-assessment, the verification, the household, its
status, the tallies and R1; and the migration that puts existing rows right."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa

from node.extensions import db
from node.models import Application, Household, HouseholdStatus, Village
from node.services.reports import build_report
from tests.builders import application_request
from tests.node.review_helpers import (
    act,
    application_id,
    submit,
    to_posted,
    verified_facts,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")

URBAN_WARD = "00070"  # Phường Hoàn Kiếm: urban; the test villages have no area of their own
RURAL_COMMUNE = "00376"  # Xã Sóc Sơn: rural


def _submitted(client, **changes) -> dict:
    return submit(client, **changes)["assessment"]


def test_the_self_assessment_takes_the_commune_s_area_not_the_answer(client, db_session):
    # 1,800,000 đồng a person: above the rural line (1.5 M), under the urban one (2 M).
    facts = verified_facts(income=3_600_000)
    in_ward = _submitted(client, village_code=None, household={**facts, "area": "rural"})
    in_commune = _submitted(
        client, village_code=None, commune_code=RURAL_COMMUNE, household={**facts, "area": "urban"}
    )

    assert (in_ward["area"], in_ward["income_line"], in_ward["classification"]) == (
        "urban", 2_000_000, "poor")  # fmt: skip
    assert (in_commune["area"], in_commune["income_line"]) == ("rural", 1_500_000)
    assert in_commune["classification"] == "average"
    stored = db_session.scalars(sa.select(Application).order_by(Application.id)).all()
    assert [a.declared_facts["area"] for a in stored] == ["urban", "rural"]


def test_a_village_the_province_made_urban_decides_in_a_rural_commune(client, db_session):
    village = Village(code=f"{RURAL_COMMUNE}-009", commune_code=RURAL_COMMUNE, name="Tổ 9",
                      area="urban")  # fmt: skip
    db_session.add(village)
    db_session.flush()

    answer = _submitted(
        client,
        commune_code=RURAL_COMMUNE,
        village_code=village.code,
        household={**verified_facts(income=3_600_000), "area": "rural"},
    )

    assert (answer["area"], answer["classification"]) == ("urban", "poor")


def test_the_verification_household_status_and_r1_follow_the_units(client, db_session, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    # The village head's form says rural, the ward is urban: the ward's line is applied.
    found = {**verified_facts(income=3_600_000), "area": "rural"}
    to_posted(client, team["officer"], team["head"], app_id, team["head_id"], found)
    file = client.get(f"/api/v1/applications/{app_id}", headers=team["officer"]).get_json()
    act(client, team["chair"], app_id, "decide", number="7/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip

    assert file["verification"]["assessment"]["area"] == "urban"
    assert file["verification"]["assessment"]["classification"] == "poor"
    household = db_session.scalar(sa.select(Household))
    status = db_session.scalar(sa.select(HouseholdStatus))
    assert (household.area, status.area, status.classification) == ("urban", "urban", "poor")
    r1 = build_report(db_session, "R1", "01", 2026, URBAN_WARD)
    row = r1.rows[0]
    assert (row["poor_urban"], row["poor_rural"]) == (1, 0)


def test_the_migration_puts_existing_areas_right(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision="8d2f4b6a1c57")
        connection = db.session.connection()
        connection.execute(sa.text(
            "INSERT INTO villages (id, code, commune_code, name, area, active) VALUES"
            " (1, '00376-001', '00376', 'Thôn 1', NULL, true),"
            " (2, '00376-002', '00376', 'Tổ 2', 'urban', true)"))  # fmt: skip
        # A household of a rural commune drawn urban, one of the urban village recorded rural,
        # one right as it is, one in an urban ward recorded rural.
        connection.execute(sa.text(
            "INSERT INTO households (id, commune_code, village_id, area, head_name,"
            " head_citizen_id) VALUES (1, '00376', 1, 'urban', 'A', '001085000001'),"
            " (2, '00376', 2, 'rural', 'B', '001085000002'),"
            " (3, '00376', NULL, 'rural', 'C', '001085000003'),"
            " (4, '00070', NULL, 'rural', 'D', '001085000004')"))  # fmt: skip
        connection.execute(sa.text(
            "INSERT INTO household_statuses (id, household_id, period, commune_code,"
            " classification, standard_id, area, ethnic_minority, previous_classification,"
            " fell_back, members_count, decided_on) VALUES"
            " (1, 1, 2026, '00376', 'poor', 's', 'urban', false, NULL, false, 2, '2026-11-24'),"
            " (2, 2, 2026, '00376', 'poor', 's', 'rural', false, NULL, false, 3, '2026-11-24'),"
            " (3, 3, 2026, '00376', 'poor', 's', 'rural', false, NULL, false, 1, '2026-11-24'),"
            " (4, 4, 2025, '00070', 'near_poor', 's', 'rural', false, NULL, false, 1,"
            " '2025-11-24')"))  # fmt: skip
        connection.execute(sa.text(
            "INSERT INTO status_tallies (period, commune_code, classification, households, urban,"
            " ethnic_minority, fell_back, newly_listed, was_poor, was_near_poor, members) VALUES"
            " (2026, '00376', 'poor', 3, 1, 0, 0, 3, 0, 0, 6),"
            " (2025, '00070', 'near_poor', 1, 0, 0, 0, 1, 0, 0, 1)"))  # fmt: skip
        db.session.commit()

        flask_migrate.upgrade()

        areas = db.session.execute(sa.text("SELECT id, area FROM households ORDER BY id")).all()
        statuses = db.session.execute(
            sa.text("SELECT household_id, area FROM household_statuses ORDER BY household_id")
        ).all()
        urban = db.session.execute(sa.text(
            "SELECT period, urban FROM status_tallies ORDER BY period")).all()  # fmt: skip
        db.session.rollback()  # the reads' transaction would hold the tables from the migration
        flask_migrate.downgrade(revision="8d2f4b6a1c57")
        flask_migrate.upgrade()
        again = db.session.execute(sa.text("SELECT area FROM households ORDER BY id")).scalars()
        again = list(again)

    expected = [(1, "rural"), (2, "urban"), (3, "rural"), (4, "urban")]
    assert [tuple(row) for row in areas] == expected
    assert [tuple(row) for row in statuses] == expected
    assert [tuple(row) for row in urban] == [(2025, 1), (2026, 1)]
    assert again == [area for _, area in expected]


def test_an_answer_that_is_no_area_is_still_refused_and_none_is_taken_from_the_units(client):
    body = application_request(village_code=None)
    body["household"]["area"] = "x" * 40
    refused = client.post("/api/v1/applications", json=body,
                          headers={"Idempotency-Key": "area-hostile-01"})  # fmt: skip
    del body["household"]["area"]
    without = client.post("/api/v1/applications", json=body,
                          headers={"Idempotency-Key": "area-missing-01"})  # fmt: skip

    assert refused.status_code == 422
    assert "household.area" in refused.get_json()["error"]["fields"]
    assert without.status_code == 201, without.get_json()
    assert without.get_json()["assessment"]["area"] == "urban"  # the ward's
