"""The review procedure end to end through the officials' API (DESIGN §3, RULES §5)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from node.context import node_context
from node.models import Application, AuditEntry, Certificate, Household, HouseholdStatus, User
from node.services import accounts
from node.services.audit import verify_audit_chain
from node.services.decisions import verify_certificate
from node.services.files import application_file
from tests.node.review_helpers import (
    IDENTITIES,
    act,
    application_id,
    on_day,
    submit,
    to_posted,
    to_verified,
    verified_facts,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


def test_from_submission_to_certificate(client, db_session, team, fixed_clock, login_as):
    tracking = submit(client)["tracking_code"]
    officer, chair, head = team["officer"], team["chair"], team["head"]
    app_id = application_id(client, officer, tracking)

    started = act(client, officer, app_id, "start_review", assign_to=team["head_id"])
    assert started["status"] == "under_review"
    assert started["assigned_to_id"] == team["head_id"]
    assert started["due_on"] == "2026-12-15"  # 15 working days after Tue 24 Nov

    verified = act(client, head, app_id, "verify", facts=verified_facts(), identities=IDENTITIES)
    assert verified["verification"]["assessment"]["classification"] == "poor"
    assert verified["comparison"]["classification_differs"] is True
    assert verified["comparison"]["deprivations_added"] == [
        "housing_quality",
        "drinking_water",
        "sanitation",
    ]

    met = act(
        client, head, app_id, "record_meeting", held_on="2026-11-24", attendees=10, agreeing=5
    )
    assert met["status"] == "meeting_held"  # exactly 50% passes
    posted = act(client, officer, app_id, "post", starts_on="2026-11-24")
    assert posted["status"] == "posted"
    assert posted["postings"][0]["ends_on"] == "2026-11-27"  # 3 working days

    fixed_clock.set(datetime(2026, 11, 30, 3, tzinfo=UTC))  # the Monday after the posting
    chair = login_as("commune_chair")  # signed in again: a token lasts 12 hours
    decided = act(
        client, chair, app_id, "decide", number="125/QĐ-UBND", decided_on="2026-11-30",
        outcome="recognised",
    )  # fmt: skip
    assert decided["status"] == "decided"
    assert decided["outcome"] == "recognised"
    assert decided["decision"]["number"] == "125/QĐ-UBND"
    assert decided["certificate"]["number"] == "1/GCN-HN.HCN"
    assert [e["action"] for e in decided["history"]] == [
        "submit", "start_review", "assign", "verify", "record_meeting", "post", "decide",
    ]  # fmt: skip

    household = db_session.scalar(select(Household))
    assert household.head_name == "Nguyễn Văn Hùng"
    assert [m.full_name for m in household.members] == ["Nguyễn Văn Hùng", "Lò Thị Mai"]
    assert household.ethnic_minority is False
    status = db_session.scalar(select(HouseholdStatus))
    assert (status.period, status.classification, status.previous_classification) == (
        2026,
        "poor",
        None,
    )
    certificate = db_session.scalar(select(Certificate))
    checked = verify_certificate(db_session, certificate.verification_code)
    assert checked["number"] == "1/GCN-HN.HCN"
    assert checked["still_valid"] is True
    assert verify_certificate(db_session, "forged") is None
    assert verify_audit_chain(db_session) is None


def test_the_file_schema_drops_nothing(app, client, db_session, team):
    """The API dumps the file through ApplicationFileSchema: every key of the service's dict,
    down to the leaves, reaches the client."""
    app_id = application_id(client, team["officer"], submit(client)["tracking_code"])
    to_posted(client, team["officer"], team["head"], app_id, team["head_id"])
    # The complaint comes in on Tuesday 17th; the second round ends on Monday 23rd.
    with on_day(client, date(2026, 11, 17)):
        act(client, team["officer"], app_id, "complaint", content="Hộ có xe tải.",
            received_on="2026-11-17")  # fmt: skip
        act(client, team["head"], app_id, "verify", facts=verified_facts(), identities=IDENTITIES)
        act(client, team["head"], app_id, "record_meeting", held_on="2026-11-17", attendees=4,
            agreeing=4)  # fmt: skip
    with on_day(client, date(2026, 11, 18)):
        act(client, team["officer"], app_id, "post", starts_on="2026-11-18")
    answer = act(client, team["chair"], app_id, "decide", number="1/QĐ", decided_on="2026-11-24",
                 outcome="recognised")  # fmt: skip
    official = accounts.official_for_user(
        db_session.scalar(select(User).where(User.role == "commune_chair"))
    )
    with app.test_request_context():
        raw = application_file(
            db_session, official, db_session.get(Application, app_id), node_context()
        )

    assert answer == json.loads(json.dumps(raw))
    assert all(answer[key] for key in ("complaints", "meetings", "certificate", "verification"))


def test_under_half_agreeing_sends_it_back_to_review(client, team):
    tracking = submit(client)["tracking_code"]
    officer, head = team["officer"], team["head"]
    app_id = application_id(client, officer, tracking)
    to_verified(client, officer, head, app_id, team["head_id"])
    failed = act(
        client, head, app_id, "record_meeting", held_on="2026-11-10", attendees=9, agreeing=4
    )
    assert failed["status"] == "under_review"
    assert failed["meetings"][0]["passed"] is False
    # Redo: verify again, a new meeting.
    act(client, head, app_id, "verify", facts=verified_facts(), identities=IDENTITIES)
    # Verified again today: the new meeting cannot be dated before today.
    act(client, head, app_id, "record_meeting", status=422, held_on="2026-11-17", attendees=9,
        agreeing=5)  # fmt: skip
    again = act(
        client, head, app_id, "record_meeting", held_on="2026-11-24", attendees=9, agreeing=5
    )
    assert again["status"] == "meeting_held"


def test_a_complaint_during_posting_sends_it_back(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    to_posted(client, team["officer"], team["head"], app_id, team["head_id"])
    result = act(
        client,
        team["officer"],
        app_id,
        "complaint",
        content="Hộ có xe tải, thu nhập cao hơn kê khai.",
        received_on="2026-11-17",
    )
    assert result["status"] == "under_review"
    assert result["complaints"][0]["content"].startswith("Hộ có xe tải")
    act(client, team["chair"], app_id, "decide", status=409, number="1", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip


def test_refusal_needs_reasons(client, db_session, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    to_posted(client, team["officer"], team["head"], app_id, team["head_id"])
    error = act(client, team["chair"], app_id, "decide", status=422, number="7/QĐ",
                decided_on="2026-11-24", outcome="refused")  # fmt: skip
    # Named as the action's body names it (the batch endpoint would say lines.0.reasons).
    assert "reasons" in error["error"]["fields"]
    refused = act(client, team["chair"], app_id, "decide", number="7/QĐ", decided_on="2026-11-24",
                  outcome="refused", reasons="Thu nhập thực tế cao hơn chuẩn.")  # fmt: skip
    assert refused["outcome"] == "refused"
    assert refused["certificate"] is None
    assert db_session.scalar(select(func.count()).select_from(HouseholdStatus)) == 0


def test_exit_request_takes_the_household_off_the_list(client, db_session, team):
    officer, chair, head = team["officer"], team["chair"], team["head"]
    first = application_id(client, officer, submit(client)["tracking_code"])
    to_posted(client, officer, head, first, team["head_id"])
    act(
        client, chair, first, "decide", number="1/QĐ", decided_on="2026-11-20", outcome="recognised"
    )
    # The household asks to exit: verified with a higher income, no longer poor (3,500,000 đồng
    # a person: above the ward's urban average line).
    exit_code = submit(client, kind="exit")["tracking_code"]
    second = application_id(client, officer, exit_code)
    facts = verified_facts(period=2026, income=7_000_000, poor=False)
    to_posted(client, officer, head, second, team["head_id"], facts=facts)
    decided = act(client, chair, second, "decide", number="2/QĐ", decided_on="2026-11-24",
                  outcome="recognised")  # fmt: skip
    assert decided["certificate"] is None
    statuses = list(db_session.scalars(select(HouseholdStatus)))
    assert len(statuses) == 1  # one household, one status for 2026, now updated
    assert statuses[0].classification == "not_poor"


def test_action_not_allowed_lists_the_allowed_ones(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    error = act(client, team["officer"], app_id, "post", status=409, starts_on="2026-11-20")
    assert error["error"]["allowed_actions"] == ["withdraw", "start_review", "assign"]
    # The list is this official's: the chair may do nothing with it yet.
    error = act(client, team["chair"], app_id, "decide", status=409, number="1",
                decided_on="2026-11-24", outcome="recognised")  # fmt: skip
    assert error["error"]["allowed_actions"] == []


def test_unknown_action(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    error = act(client, team["officer"], app_id, "approve_everything", status=404)
    assert "start_review" in error["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"held_on": "2026-11-10", "attendees": 5, "agreeing": 6}, "agreeing"),
        ({"held_on": "2026-11-10", "attendees": 0, "agreeing": 0}, "attendees"),
        ({"held_on": "2026-12-30", "attendees": 5, "agreeing": 3}, "held_on"),
        ({"held_on": "yesterday", "attendees": 5, "agreeing": 3}, "held_on"),
        ({"attendees": 5, "agreeing": 3}, "held_on"),
    ],
)
def test_bad_meeting_records(client, team, body, field):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    to_verified(client, team["officer"], team["head"], app_id, team["head_id"])
    error = act(client, team["head"], app_id, "record_meeting", status=422, **body)
    assert field in error["error"]["fields"]
    detail = client.get(f"/api/v1/applications/{app_id}", headers=team["officer"]).get_json()
    assert detail["status"] == "under_review"
    assert detail["meetings"] == []


def test_posting_cannot_end_before_it_starts(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    to_verified(client, team["officer"], team["head"], app_id, team["head_id"])
    act(
        client,
        team["head"],
        app_id,
        "record_meeting",
        held_on="2026-11-10",
        attendees=4,
        agreeing=4,
    )
    error = act(client, team["officer"], app_id, "post", status=422, starts_on="2026-11-20",
                ends_on="2026-11-18")  # fmt: skip
    assert "ends_on" in error["error"]["fields"]


def test_decision_needs_a_number_and_the_posting_to_be_over(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    to_verified(client, team["officer"], team["head"], app_id, team["head_id"])
    act(
        client,
        team["head"],
        app_id,
        "record_meeting",
        held_on="2026-11-10",
        attendees=4,
        agreeing=4,
    )
    # Ends Fri 27 Nov: Tue 24, the Vietnamese Culture Day, is a public holiday from 2026.
    act(client, team["officer"], app_id, "post", starts_on="2026-11-23")
    error = act(client, team["chair"], app_id, "decide", status=422, number=" ",
                decided_on="2026-11-24", outcome="recognised")  # fmt: skip
    assert "number" in error["error"]["fields"]
    error = act(client, team["chair"], app_id, "decide", status=409, number="3/QĐ",
                decided_on="2026-11-24", outcome="recognised")  # fmt: skip
    assert "2026-11-27" in error["error"]["message"]


def test_a_stale_form_does_not_overwrite(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    opened = client.get(f"/api/v1/applications/{app_id}", headers=team["officer"]).get_json()
    act(client, team["officer"], app_id, "start_review", version=opened["version"])
    error = act(client, team["officer"], app_id, "assign", status=409, user_id=team["head_id"],
                version=opened["version"])  # fmt: skip
    assert "reload" in error["error"]["message"]


def test_invalid_verified_facts_are_named(client, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    act(client, team["officer"], app_id, "start_review")
    facts = verified_facts()
    facts["members"][1]["birth_date"] = "2030-01-01"
    error = act(
        client, team["head"], app_id, "verify", status=422, facts=facts, identities=IDENTITIES
    )
    assert "facts.members.1.birth_date" in error["error"]["fields"]
    error = act(client, team["head"], app_id, "verify", status=422, facts=verified_facts(),
                identities=IDENTITIES[:1])  # fmt: skip
    assert "identities" in error["error"]["fields"]


def test_every_step_is_in_the_audit_log(client, db_session, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    client.get(f"/api/v1/applications/{app_id}", headers=team["officer"])
    act(client, team["officer"], app_id, "start_review")
    actions = [
        (entry.role, entry.action)
        for entry in db_session.scalars(
            select(AuditEntry).where(AuditEntry.application_id == app_id).order_by(AuditEntry.id)
        )
    ]
    assert ("commune_officer", "read") in actions
    assert ("commune_officer", "start_review") in actions
    assert verify_audit_chain(db_session) is None


def test_tampering_with_the_audit_log_is_detected(client, db_session, team):
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    client.get(f"/api/v1/applications/{app_id}", headers=team["officer"])
    act(client, team["officer"], app_id, "start_review")
    entry = db_session.scalar(select(AuditEntry).order_by(AuditEntry.id).limit(1))
    entry.role = "province_admin"
    db_session.flush()
    assert verify_audit_chain(db_session) == entry.id


def test_the_district_opinion_is_a_step_only_where_the_province_asks_it(
    app, client, team, monkeypatch
):
    app_id = application_id(client, team["officer"], submit(client)["tracking_code"])
    file = to_posted(client, team["officer"], team["head"], app_id, team["head_id"])
    assert "district_opinion" not in file["allowed_actions"]
    opinion = {"received_on": "2026-11-20", "agrees": True}
    refused = act(client, team["officer"], app_id, "district_opinion", status=409, **opinion)
    assert "district_opinion" not in refused["error"]["allowed_actions"]

    monkeypatch.setitem(app.config, "DISTRICT_OPINION_REQUIRED", True)
    asked = client.get(f"/api/v1/applications/{app_id}", headers=team["chair"]).get_json()
    assert asked["allowed_actions"] == []  # the chair waits for the opinion
    done = act(client, team["officer"], app_id, "district_opinion", **opinion)
    assert "district_opinion" in done["allowed_actions"]
    after = client.get(f"/api/v1/applications/{app_id}", headers=team["chair"]).get_json()
    assert after["allowed_actions"] == ["decide"]


def test_a_batch_listing_a_household_twice_is_refused_whole(client, db_session, team):
    app_id = application_id(client, team["officer"], submit(client)["tracking_code"])
    to_verified(client, team["officer"], team["head"], app_id, team["head_id"])
    act(client, team["head"], app_id, "record_meeting", held_on="2026-11-10", attendees=4,
        agreeing=4)  # fmt: skip
    response = client.post(
        "/api/v1/postings",
        json={"application_ids": [app_id, app_id], "starts_on": "2026-11-13"},
        headers=team["officer"],
    )
    assert response.status_code == 422
    assert "application_ids" in response.get_json()["error"]["fields"]
    assert db_session.get(Application, app_id).status == "meeting_held"
