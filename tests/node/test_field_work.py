"""The field app's server side (issue 15): devices registered and revoked, the work a phone
downloads, and the Idempotency-Key that makes a queued change count once. The phone itself is
driven in tests/e2e/test_field_app.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from node.models import Meeting, Verification
from node.services.workflow import meeting_target
from tests.node.officials_helpers import new_application
from tests.node.review_helpers import (
    IDENTITIES,
    MEETING_DAY,
    REVIEW_STARTED,
    act,
    on_day,
    verified_facts,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


def register(client, headers, label="Điện thoại Samsung") -> dict:
    response = client.post("/api/v1/devices", json={"label": label}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assigned(client, team) -> int:
    """A household under review, assigned to the team's village head."""
    app_id = new_application(client, team.officer)
    with on_day(client, REVIEW_STARTED):
        act(client, team["officer"], app_id, "start_review", assign_to=team["head_id"])
    return app_id


def test_a_phone_downloads_the_assigned_work_with_the_declared_facts(client, team):
    app_id = assigned(client, team)
    device = register(client, team["head"])
    headers = {**team["head"], "X-Device-Id": device["public_id"]}

    work = client.get("/api/v1/field-work", headers=headers)

    assert work.status_code == 200, work.get_json()
    body = work.get_json()
    household = next(h for h in body["households"] if h["id"] == app_id)
    assert household["declared_facts"]["members"]
    assert household["verification"] is None
    assert [s["step"] for s in household["asked"]["household_steps"]] == [
        "housing", "water", "information", "livelihood"
    ]  # fmt: skip
    assert body["meeting_rule"] == {"numerator": 50, "denominator": 100}
    assert body["official"]["user_id"] == team["head_id"]
    # The meeting list of the village names the same household, not yet verified.
    meeting = next(g for g in body["meetings"] if g["village_code"] == "00070-001")
    listed = next(h for h in meeting["households"] if h["id"] == app_id)
    assert listed["verified"] is False


def test_the_meeting_rule_the_phone_downloads_is_the_one_the_server_applies(app):
    percent = app.config["MEETING_AGREEMENT_PERCENT"]
    for attendees in range(1, 30):
        for agreeing in range(attendees + 1):
            on_phone = agreeing * 100 >= attendees * percent
            assert (meeting_target(agreeing, attendees, percent) == "meeting_held") == on_phone


def test_a_revoked_device_can_neither_download_nor_sync(client, team, login_as):
    app_id = assigned(client, team)
    device = register(client, team["head"])
    headers = {**team["head"], "X-Device-Id": device["public_id"]}
    admin = login_as("province_admin", ["01"])

    listed = client.get("/api/v1/devices", headers=admin).get_json()["items"]
    assert device["id"] in [d["id"] for d in listed]
    assert "public_id" not in listed[0]
    revoked = client.post(f"/api/v1/devices/{device['id']}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert revoked.get_json()["revoked_at"]

    assert client.get("/api/v1/field-work", headers=headers).status_code == 403
    sync = client.post(
        f"/api/v1/applications/{app_id}/actions/verify",
        json={"facts": verified_facts(), "identities": IDENTITIES},
        headers={**headers, "Idempotency-Key": "phone-key-0001"},
    )
    assert sync.status_code == 403
    assert sync.get_json()["error"]["code"] == "device_revoked"
    assert (
        client.get(f"/api/v1/applications/{app_id}", headers=team["head"]).get_json()["status"]
        == "under_review"
    )
    # Nothing was verified.
    assert (
        client.get(f"/api/v1/applications/{app_id}", headers=team["head"]).get_json()[
            "verification"
        ]
        is None
    )


def test_another_officials_phone_is_refused_without_being_revoked(client, team):
    device = register(client, team["head"])
    answer = client.get(
        "/api/v1/field-work", headers={**team["officer"], "X-Device-Id": device["public_id"]}
    )
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "device_of_another_official"


def test_only_the_owner_or_an_administrator_revokes(client, team):
    device = register(client, team["head"])
    answer = client.post(f"/api/v1/devices/{device['id']}/revoke", headers=team["officer"])
    assert answer.status_code == 404
    own = client.post(f"/api/v1/devices/{device['id']}/revoke", headers=team["head"])
    assert own.status_code == 200


@pytest.mark.parametrize("label", ["", "x" * 81, "bad\x00label"])
def test_a_bad_device_name_is_refused(client, team, label):
    answer = client.post("/api/v1/devices", json={"label": label}, headers=team["head"])
    assert answer.status_code == 422
    assert client.get("/api/v1/devices", headers=team["head"]).get_json()["items"] == []


def test_a_queued_verification_sent_twice_is_recorded_once(client, team, db_session):
    app_id = assigned(client, team)
    device = register(client, team["head"])
    version = client.get(f"/api/v1/applications/{app_id}", headers=team["head"]).get_json()[
        "version"
    ]
    headers = {**team["head"], "X-Device-Id": device["public_id"], "Idempotency-Key": "k" * 32}
    body = {"facts": verified_facts(), "identities": IDENTITIES, "version": version}

    first = client.post(f"/api/v1/applications/{app_id}/actions/verify", json=body,
                        headers=headers)  # fmt: skip
    again = client.post(f"/api/v1/applications/{app_id}/actions/verify", json=body,
                        headers=headers)  # fmt: skip

    assert first.status_code == 200, first.get_json()
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    count = db_session.scalar(
        select(func.count()).select_from(Verification).where(Verification.application_id == app_id)
    )
    assert count == 1
    # The same key with another body is refused, and changes nothing.
    other = client.post(f"/api/v1/applications/{app_id}/actions/verify",
                        json={**body, "address": "Số 3"}, headers=headers)  # fmt: skip
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_a_stale_version_is_a_conflict_and_its_key_may_be_used_after_choosing(client, team):
    app_id = assigned(client, team)
    seen = client.get(f"/api/v1/applications/{app_id}", headers=team["head"]).get_json()["version"]
    # Meanwhile the commune officer verifies the same household.
    act(client, team["officer"], app_id, "verify", facts=verified_facts(income=3_000_000),
        identities=IDENTITIES, version=seen)  # fmt: skip
    headers = {**team["head"], "Idempotency-Key": "phone-verify-0001"}
    body = {"facts": verified_facts(), "identities": IDENTITIES, "version": seen}

    stale = client.post(f"/api/v1/applications/{app_id}/actions/verify", json=body,
                        headers=headers)  # fmt: skip
    assert stale.status_code == 409
    file = client.get(f"/api/v1/applications/{app_id}", headers=team["head"]).get_json()
    assert file["verification"]["facts"]["monthly_income"] == 3_000_000

    # The head keeps theirs on top: the version now on file, a new key.
    mine = client.post(
        f"/api/v1/applications/{app_id}/actions/verify",
        json={**body, "version": file["version"]},
        headers={**team["head"], "Idempotency-Key": "phone-verify-0002"},
    )
    assert mine.status_code == 200, mine.get_json()
    assert mine.get_json()["verification"]["facts"]["monthly_income"] == 1_200_000


def test_a_queued_meeting_sent_twice_is_one_meeting_with_its_minutes(client, team, db_session):
    app_id = assigned(client, team)
    with on_day(client, REVIEW_STARTED):
        act(client, team["head"], app_id, "verify", facts=verified_facts(), identities=IDENTITIES)
    body = {"held_on": MEETING_DAY.isoformat(), "attendees": 9, "village_code": "00070-001",
            "notes": "Bà con thống nhất.\nÔng Tư không có ý kiến khác.",
            "votes": [{"application_id": app_id, "agreeing": 5}]}  # fmt: skip
    headers = {**team["head"], "Idempotency-Key": "phone-meeting-0001"}
    with on_day(client, MEETING_DAY):
        first = client.post("/api/v1/meetings", json=body, headers=headers)
        again = client.post("/api/v1/meetings", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() == {"meeting_id": first.get_json()["meeting_id"],
                                                    "passed": [app_id]}  # fmt: skip
    meetings = db_session.scalars(select(Meeting)).all()
    assert len(meetings) == 1
    assert meetings[0].notes.startswith("Bà con thống nhất.")


@pytest.mark.parametrize("key", ["short", "x" * 101, "khóa-có-dấu-123"])
def test_a_malformed_idempotency_key_is_refused(client, team, key):
    app_id = assigned(client, team)
    answer = client.post(
        f"/api/v1/applications/{app_id}/actions/verify",
        json={"facts": verified_facts(), "identities": IDENTITIES},
        headers={**team["head"], "Idempotency-Key": key},
    )
    assert answer.status_code == 400
    assert (
        client.get(f"/api/v1/applications/{app_id}", headers=team["head"]).get_json()[
            "verification"
        ]
        is None
    )


def test_the_field_app_page_service_worker_and_manifest(client, team):
    page = team.head.get("/officials/app")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="field-config"' in text, text[text.find("<main") :][:1500] and "field.js" in text
    # The page the worker keeps names nobody.
    assert team.head.get("/officials/account").status_code == 200
    worker = client.get("/officials/sw.js")
    assert worker.status_code == 200
    script = worker.get_data(as_text=True)
    assert '"/officials/app"' in script
    assert "/api/" not in script
    manifest = client.get("/officials/manifest.webmanifest").get_json()
    assert manifest["scope"] == "/officials/"
    assert manifest["start_url"] == "/officials/app"
    # The chair does no field work.
    assert team.chair.get("/officials/app").status_code == 403


def test_the_administrator_revokes_a_phone_on_the_devices_page(app, client, team, make_user,
                                                               db_session):  # fmt: skip
    from tests.node.officials_helpers import sign_in

    device = register(client, team["head"], "Điện thoại Nokia của trưởng thôn")
    admin = sign_in(app, make_user, db_session, "province_admin", ["01"])
    page = admin.get("/admin/devices").get_data(as_text=True)
    assert "Điện thoại Nokia của trưởng thôn" in page
    assert "Thu hồi" in page

    answer = admin.post(f"/admin/devices/{device['id']}/revoke")

    assert answer.status_code == 303
    refused = client.get(
        "/api/v1/field-work", headers={**team["head"], "X-Device-Id": device["public_id"]}
    )
    assert refused.status_code == 403
    # The head does not see the administrator's page.
    assert team.head.get("/admin/devices").status_code in (403, 404)
