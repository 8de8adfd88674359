"""Duplicates, the periodic review, the worklist, paper intake and what the household can see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from node.models import Application, DuplicateFlag
from node.services.calendar import add_holidays
from tests.builders import application_request
from tests.node.review_helpers import (
    IDENTITIES,
    REVIEW_STARTED,
    act,
    application_id,
    on_day,
    submit,
    to_posted,
    verified_facts,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


def recognise(client, team, **submit_changes) -> int:
    app_id = application_id(
        client, team["officer"], submit(client, **submit_changes)["tracking_code"]
    )
    to_posted(client, team["officer"], team["head"], app_id, team["head_id"])
    act(client, team["chair"], app_id, "decide", number="1/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    return app_id


def test_a_member_in_two_applications_is_flagged_and_must_be_resolved(client, db_session, team):
    first = application_id(client, team["officer"], submit(client)["tracking_code"])
    other_applicant = {
        "full_name": "Trần Văn Ba",
        "citizen_id": "001090000333",
        "phone": "0911111111",
    }
    second = application_id(
        client, team["officer"], submit(client, applicant=other_applicant)["tracking_code"]
    )
    with on_day(client, REVIEW_STARTED):  # verified two weeks ago
        for app_id in (first, second):
            act(client, team["officer"], app_id, "start_review")
        # The second household's verification lists Lò Thị Mai, already a member in the first.
        act(client, team["head"], first, "verify", facts=verified_facts(), identities=IDENTITIES)
        other_identities = [
            {"full_name": "Trần Văn Ba", "citizen_id": "001090000333", "ethnicity": "Kinh"},
            IDENTITIES[1],
        ]
        file = act(client, team["head"], second, "verify", facts=verified_facts(),
                   identities=other_identities)  # fmt: skip
    assert file["duplicates"] == [
        {
            "id": file["duplicates"][0]["id"],
            "citizen_id": "001187000222",
            "other_application_id": first,
            "other_household_id": None,
            "resolution": None,
        }
    ]
    act(
        client,
        team["head"],
        second,
        "record_meeting",
        held_on="2026-11-10",
        attendees=4,
        agreeing=4,
    )
    act(client, team["officer"], second, "post", starts_on="2026-11-13")
    blocked = act(client, team["chair"], second, "decide", status=409, number="9",
                  decided_on="2026-11-24", outcome="recognised")  # fmt: skip
    assert "duplicates" in blocked["error"]["message"]
    flag_id = file["duplicates"][0]["id"]
    response = client.post(
        f"/api/v1/duplicates/{flag_id}/resolve",
        json={"resolution": "distinct", "note": "Hai người trùng tên, khác số định danh cũ."},
        headers=team["officer"],
    )
    assert response.status_code == 200
    again = client.post(
        f"/api/v1/duplicates/{flag_id}/resolve",
        json={"resolution": "merged"},
        headers=team["officer"],
    )
    assert again.status_code == 409
    act(client, team["chair"], second, "decide", number="9", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    flag = db_session.get(DuplicateFlag, flag_id)
    assert flag.resolution == "distinct"


def test_resolving_as_withdrawn_withdraws_the_application(client, team):
    first = application_id(client, team["officer"], submit(client)["tracking_code"])
    second = application_id(client, team["officer"], submit(client)["tracking_code"])
    act(client, team["officer"], second, "start_review")
    file = act(
        client, team["head"], second, "verify", facts=verified_facts(), identities=IDENTITIES
    )
    flag = file["duplicates"][0]
    assert flag["other_application_id"] == first
    resolved = client.post(f"/api/v1/duplicates/{flag['id']}/resolve",
                           json={"resolution": "withdrawn"}, headers=team["officer"])  # fmt: skip
    assert resolved.status_code == 200
    detail = client.get(f"/api/v1/applications/{second}", headers=team["officer"]).get_json()
    assert detail["status"] == "withdrawn"


def test_periodic_review_queues_every_listed_household(client, db_session, team):
    recognise(client, team)
    response = client.post(
        "/api/v1/periodic-reviews", json={"period": 2027}, headers=team["officer"]
    )
    assert response.status_code == 201
    assert response.get_json() == {"period": 2027, "queued": 1}
    queued = db_session.scalar(select(Application).where(Application.channel == "periodic"))
    assert (queued.period, queued.status, queued.self_classification) == (
        2027,
        "under_review",
        "poor",
    )
    assert queued.household_id is not None
    again = client.post("/api/v1/periodic-reviews", json={"period": 2027}, headers=team["officer"])
    assert again.status_code == 409
    wrong = client.post("/api/v1/periodic-reviews", json={"period": 2026}, headers=team["officer"])
    assert wrong.status_code == 422


def test_periodic_review_only_in_its_window(client, app, monkeypatch, team):
    monkeypatch.setitem(app.config, "FIXED_NOW", datetime(2026, 3, 3, 3, tzinfo=UTC))
    response = client.post(
        "/api/v1/periodic-reviews", json={"period": 2027}, headers=team["officer"]
    )
    assert response.status_code == 409


def test_worklist_puts_overdue_first(client, db_session, app, monkeypatch, team, login_as):
    early = application_id(client, team["officer"], submit(client)["tracking_code"])
    act(client, team["officer"], early, "start_review")  # due 15 Dec 2026
    add_holidays(db_session, [(datetime(2026, 12, 1).date(), "test")])
    db_session.commit()
    later = application_id(client, team["officer"], submit(client)["tracking_code"])
    act(client, team["officer"], later, "start_review")  # due 16 Dec: the holiday shifts it
    monkeypatch.setitem(app.config, "FIXED_NOW", datetime(2026, 12, 16, 3, tzinfo=UTC))
    officer = login_as("commune_officer")  # three weeks on: yesterday's token has expired
    items = client.get("/api/v1/worklist", headers=officer).get_json()["items"]
    assert [(i["id"], i["overdue"], i["due_on"]) for i in items] == [
        (early, True, "2026-12-15"),
        (later, False, "2026-12-16"),
    ]
    assert items[1]["working_days_left"] == 0
    overdue = client.get("/api/v1/applications?overdue=true", headers=officer).get_json()
    assert [item["id"] for item in overdue["items"]] == [early]


def test_paper_intake_is_recorded_as_proxy_filing(client, db_session, team, make_user):
    response = client.post(
        "/api/v1/applications",
        json=application_request(village_code="00070-001"),
        headers={**team["officer"], "Idempotency-Key": "paper-000001"},
    )
    assert response.status_code == 201
    application = db_session.scalar(select(Application))
    assert application.channel == "paper"
    assert application.filed_by_id is not None
    assert application.events[0].actor_role == "commune_officer"


def test_only_officers_file_on_paper(client, db_session, login_as):
    response = client.post(
        "/api/v1/applications",
        json=application_request(),
        headers={**login_as("commune_chair"), "Idempotency-Key": "paper-000002"},
    )
    assert response.status_code == 403
    assert db_session.scalar(select(Application)) is None


def test_the_household_sees_who_by_role_read_and_changed_its_file(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    client.get(f"/api/v1/applications/{app_id}", headers=team["officer"])
    act(client, team["officer"], app_id, "start_review")
    status = client.post(
        f"/api/v1/applications/{tracking}/lookup", json={"phone": "0912345678"}
    ).get_json()
    assert [(e["role"], e["action"]) for e in status["access_log"]] == [
        ("commune_officer", "read"),
        ("commune_officer", "start_review"),
    ]
    assert "user_id" not in status["access_log"][0]
