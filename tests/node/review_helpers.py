"""Helpers for the review tests: a resident's application, and each official's step over the API."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

from tests.builders import adult, application_request, household

# A Tuesday in the periodic review window.
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
# The days of a review the helpers walk through (the decision may come on TODAY).
REVIEW_STARTED = date(2026, 11, 9)
MEETING_DAY = date(2026, 11, 10)
POSTING_STARTS = date(2026, 11, 14)
_keys = itertools.count(1)


def submit(client, village_code="00070-001", **changes) -> dict:
    """A resident's application (POST /api/v1/applications) → the API's answer."""
    body = application_request(village_code=village_code, **changes)
    response = client.post(
        "/api/v1/applications", json=body, headers={"Idempotency-Key": f"key-{next(_keys):010d}"}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def application_id(client, headers, tracking_code) -> int:
    """The id officials use for the application with this tracking code."""
    items = client.get("/api/v1/applications?per_page=200", headers=headers).get_json()["items"]
    return next(item["id"] for item in items if item["tracking_code"] == tracking_code)


def act(client, headers, app_id, action, status=200, **body):
    """POST an action; assert the status; return the JSON answer."""
    response = client.post(
        f"/api/v1/applications/{app_id}/actions/{action}", json=body, headers=headers
    )
    assert response.status_code == status, response.get_json()
    return response.get_json()


def verified_facts(period=2026, income=1_200_000, poor=True) -> dict:
    """Facts the village head found: two members, deprived in three indicators if ``poor``."""
    facts = household(
        period=period,
        monthly_income=income,
        members=[adult(), adult(relation="spouse", sex="female", birth_date="1987-01-02")],
    )
    if poor:
        facts["water"] = {"source": "surface_water"}
        facts["sanitation"] = {"latrine": "none"}
        facts["housing"]["walls_durable"] = False
        facts["housing"]["roof_durable"] = False
    return facts


IDENTITIES = [
    {"full_name": "Nguyễn Văn Hùng", "citizen_id": "001085000111", "ethnicity": "Kinh"},
    {"full_name": "Lò Thị Mai", "citizen_id": "001187000222", "ethnicity": "Thái"},
]


@contextmanager
def on_day(client, day: date) -> Iterator[None]:
    """The app's clock on ``day`` (10:00 in Vietnam) for a while: a step of the review entered
    that day. The clock is as it was afterwards (stopped or not)."""
    config = client.application.config
    before = config.get("FIXED_NOW")
    config["FIXED_NOW"] = datetime.combine(day, time(3), tzinfo=UTC)
    try:
        yield
    finally:
        config["FIXED_NOW"] = before


def to_verified(client, officer, head, app_id, reviewer_id, facts=None, identities=None):
    """start_review → verify, both on REVIEW_STARTED."""
    with on_day(client, REVIEW_STARTED):
        act(client, officer, app_id, "start_review", assign_to=reviewer_id)
        return act(client, head, app_id, "verify", facts=facts or verified_facts(),
                   identities=identities or IDENTITIES)  # fmt: skip


def to_posted(client, officer, head, app_id, reviewer_id, facts=None):
    """start_review and verify (REVIEW_STARTED) → record_meeting, passed (MEETING_DAY) → post
    (POSTING_STARTS, to Thursday 19 November): the posting is over before TODAY."""
    to_verified(client, officer, head, app_id, reviewer_id, facts)
    with on_day(client, MEETING_DAY):
        act(client, head, app_id, "record_meeting", held_on=MEETING_DAY.isoformat(),
            attendees=10, agreeing=6)  # fmt: skip
    with on_day(client, POSTING_STARTS):
        return act(client, officer, app_id, "post", starts_on=POSTING_STARTS.isoformat())
