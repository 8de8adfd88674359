"""POST /api/v1/applications (DESIGN §5)."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from node.models import Application, ApplicationEvent, Consent, IdempotencyKey
from node.services.places import add_village
from node.services.tracking import normalize_tracking_code
from tests.builders import application_request, household

# 28 Nov 2026 is inside the periodic review window: 2026 and 2027 are both accepted.
IN_WINDOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
OUTSIDE_WINDOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


pytestmark = [pytest.mark.usefixtures("fixed_clock"), pytest.mark.now(IN_WINDOW)]


def post(client, body, key="key-0001-abcdef", **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/applications", json=body, headers=headers)


def count(db_session, model=Application):
    return db_session.scalar(select(func.count()).select_from(model))


def test_submit_creates_one_application_with_history_and_consent(client, db_session):
    response = post(client, application_request())
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "submitted"
    assert normalize_tracking_code(body["tracking_code"]) == body["tracking_code"]
    assert body["assessment"]["classification"] == "near_poor"
    application = db_session.scalar(select(Application))
    assert application.tracking_code == body["tracking_code"]
    assert application.channel == "portal"
    assert application.applicant_name == "Nguyễn Thị Lan"
    assert application.self_classification == "near_poor"
    assert [event.action for event in application.events] == ["submit"]
    assert application.consent.text_version == "2026-12"
    assert count(db_session, IdempotencyKey) == 1


def test_same_key_gives_the_same_answer_and_no_second_row(client, db_session):
    first = post(client, application_request())
    again = post(client, application_request())
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    # The retry's own rows are taken back with its application: nothing of it is left.
    for model in (Application, Consent, ApplicationEvent, IdempotencyKey):
        assert count(db_session, model) == 1, model


def test_same_key_with_another_body_is_refused(client, db_session):
    post(client, application_request())
    response = post(client, application_request(kind="exit"))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"
    for model in (Application, Consent, ApplicationEvent, IdempotencyKey):
        assert count(db_session, model) == 1, model


def test_different_keys_make_different_applications(client, db_session):
    codes = {
        post(client, application_request(), key=f"key-{n:08d}").json["tracking_code"]
        for n in range(3)
    }
    assert len(codes) == 3
    assert count(db_session) == 3


@pytest.mark.parametrize("key", [None, "", "short", "x" * 101, "clé-non-ascii-123"])
def test_idempotency_key_required_and_well_formed(client, db_session, key):
    response = post(client, application_request(), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert count(db_session) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": False}, "consent"),
        ({"consent": "yes"}, "consent"),
        ({"kind": "join"}, "kind"),
        ({"commune_code": "70"}, "commune_code"),
        ({"applicant": {"full_name": "Lan", "citizen_id": "12345", "phone": "0912345678"}},)
        + ("applicant.citizen_id",),
        ({"applicant": {"full_name": "Lan 2", "citizen_id": "001190012345", "phone": "1"}},)
        + ("applicant.full_name",),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_envelope(client, db_session, changes, field):
    body = application_request(**changes)
    response = post(client, body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert count(db_session) == 0
    assert count(db_session, IdempotencyKey) == 0


def test_missing_consent(client, db_session):
    body = application_request()
    del body["consent"]
    response = post(client, body)
    assert response.status_code == 422
    assert "consent" in response.get_json()["error"]["fields"]
    assert count(db_session) == 0


@pytest.mark.parametrize("commune_code", ["99999", "03388"])
def test_unknown_or_foreign_commune(client, db_session, commune_code):
    response = post(client, application_request(commune_code=commune_code))
    assert response.status_code == 422
    assert "commune_code" in response.get_json()["error"]["fields"]
    assert count(db_session) == 0


def test_village_must_belong_to_the_commune(client, db_session):
    village = add_village(db_session, "00073", "Tổ 1")
    response = post(client, application_request(village_code=village.code))
    assert response.status_code == 422
    assert "village_code" in response.get_json()["error"]["fields"]
    own = add_village(db_session, "00070", "Tổ 1")
    response = post(client, application_request(village_code=own.code), key="key-0002-abcdef")
    assert response.status_code == 201
    assert db_session.scalar(select(Application)).village_id == own.id


def test_invalid_facts_are_named_under_household(client, db_session):
    facts = household()
    facts["members"][0]["birth_date"] = "1985-02-30"
    del facts["water"]
    response = post(client, application_request(household=facts))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"household.members.0.birth_date", "household.water.source"} <= set(fields)
    assert count(db_session) == 0


def test_period_must_be_current_or_next_in_the_review_window(client, db_session, app, monkeypatch):
    assert post(client, application_request(household=household(period=2027))).status_code == 201
    monkeypatch.setitem(app.config, "FIXED_NOW", OUTSIDE_WINDOW)
    response = post(client, application_request(household=household(period=2027)), key="k-2-abcdef")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "household.period": "applications are accepted for 2026"
    }
    response = post(client, application_request(household=household(period=2025)), key="k-3-abcdef")
    assert response.status_code == 422
    assert count(db_session) == 1


def test_names_are_stored_in_nfc_whatever_the_phone_typed(client, db_session):
    # A phone keyboard may send "ễ" as e + two combining marks, with stray spaces.
    typed = unicodedata.normalize("NFD", "  Nguyễn   Thị Lan ")
    applicant = {"full_name": typed, "citizen_id": "0011 9001 2345", "phone": "+84 912 345 678"}
    response = post(client, application_request(applicant=applicant))
    assert response.status_code == 201
    application = db_session.scalar(select(Application))
    assert application.applicant_name == "Nguyễn Thị Lan"
    assert unicodedata.is_normalized("NFC", application.applicant_name)
    assert (application.applicant_citizen_id, application.applicant_phone) == (
        "001190012345",
        "0912345678",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant.full_name", "Nguyễn " + "Văn " * 30 + "An"),  # longer than a name can be
        ("applicant.full_name", "Nguyễn Văn 4n"),
        ("village_code", "x" * 21),
    ],
)
def test_too_long_or_malformed_strings_are_refused_by_field(client, db_session, field, value):
    body = application_request()
    if field.startswith("applicant."):
        body["applicant"][field.split(".")[1]] = value
    else:
        body[field] = value
    response = post(client, body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert count(db_session) == 0


def test_too_many_members_is_refused(client, db_session):
    facts = household()
    facts["members"] = [facts["members"][0]] * 51
    response = post(client, application_request(household=facts))
    assert response.status_code == 422
    assert "household.members" in response.get_json()["error"]["fields"]
    assert count(db_session) == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [("{broken", 400), (json.dumps(application_request()) + "x" * 300_000, 413)],
)
def test_broken_and_oversized_bodies(client, db_session, data, status):
    response = client.post(
        "/api/v1/applications",
        data=data,
        content_type="application/json",
        headers={"Idempotency-Key": "key-0001-abcdef"},
    )
    assert response.status_code == status
    assert "error" in response.get_json()
    assert count(db_session) == 0


def test_names_and_phones_are_normalised(client, db_session):
    body = application_request(
        applicant={
            "full_name": "  Nguye\u0302\u0303n   Thị Lan ",
            "citizen_id": "001 190 012 345",
            "phone": "+84 912.345.678",
        }
    )
    assert post(client, body).status_code == 201
    application = db_session.scalar(select(Application))
    assert application.applicant_name == "Nguyễn Thị Lan"
    assert application.applicant_citizen_id == "001190012345"
    assert application.applicant_phone == "0912345678"


# The applicant's own lookups, withdrawal and data: tests/node/test_applicant_lookups.py.


@pytest.fixture
def submitted(client):
    return post(client, application_request()).get_json()["tracking_code"]


def test_consent_is_recorded_once_per_application(client, db_session, submitted):
    assert count(db_session, Consent) == 1


def test_a_retry_gets_its_first_answer_even_after_the_window_closed(client, app, monkeypatch):
    body = application_request(household=household(period=2027))
    first = post(client, body)
    assert first.status_code == 201
    monkeypatch.setitem(app.config, "FIXED_NOW", OUTSIDE_WINDOW)
    retry = post(client, body)
    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
