"""My data (issue 18 part 1, DESIGN §5): with only the tracking code and the phone or ID number
given at submission, the resident gets everything the node holds about the file's people — as
JSON (``POST /api/v1/applications/<tracking_code>/my-data``) and as a printable portal page
(``POST /status/my-data``) — after the lookup's proof and within its guessing limits."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from node.models import LookupAttempt, User
from node.services.lookups import MAX_WRONG_PER_CODE
from tests.node.review_helpers import IDENTITIES, act, application_id, submit, verified_facts

pytestmark = pytest.mark.usefixtures("fixed_clock")

PHONE, CITIZEN_ID = "0912345678", "001190012345"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text(client.get("/status")))[1]


@pytest.fixture
def reviewed(client, team) -> str:
    """An application the commune officer opened, started and the village head verified."""
    tracking = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking)
    client.get(f"/api/v1/applications/{app_id}", headers=team["officer"])
    act(client, team["officer"], app_id, "start_review", assign_to=team["head_id"])
    act(client, team["head"], app_id, "verify", facts=verified_facts(), identities=IDENTITIES)
    return tracking


def test_my_data_names_every_change_and_access_by_role(client, db_session, reviewed):
    response = client.post(f"/api/v1/applications/{reviewed}/my-data", json={"phone": PHONE})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["applicant"]["citizen_id"] == CITIZEN_ID
    assert [(c["action"], c["role"]) for c in body["changes"]] == [
        ("submit", "resident"),
        ("start_review", "commune_officer"),
        ("assign", "commune_officer"),
        ("verify", "village_head"),
    ]
    assert body["changes"][1]["from_status"] == "submitted"
    assert body["changes"][1]["to_status"] == "under_review"
    assert ("read", "commune_officer") in {(a["action"], a["role"]) for a in body["access_log"]}
    assert body["verifications"][0]["classification"] == "poor"
    assert body["verifications"][0]["facts"]["monthly_income"] == 1_200_000
    assert body["consent"]["text_version"]
    assert body["consent"]["given_at"].startswith("2026-")
    # Roles only: no official's name or user id reaches the resident.
    names = [user.full_name or user.username for user in db_session.scalars(select(User))]
    assert names
    assert not any(name in response.get_data(as_text=True) for name in names)


def test_a_wrong_proof_gets_the_lookups_404_and_is_counted(client, db_session, reviewed):
    response = client.post(f"/api/v1/applications/{reviewed}/my-data", json={"phone": "0987654321"})

    assert response.status_code == 404
    assert "Nguyễn" not in response.get_data(as_text=True)
    assert db_session.scalar(select(LookupAttempt.failures).where(LookupAttempt.scope == "code"))


def test_the_printable_page_shows_the_same_data(client, reviewed):
    token = csrf(client)
    page = client.post(
        "/status/my-data", data={"csrf_token": token, "tracking_code": reviewed, "proof": PHONE}
    )

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = text(page)
    assert "Nguyễn Thị Lan" in html
    assert CITIZEN_ID in html
    assert PHONE in html
    assert "Dữ liệu hệ thống đang lưu về bạn" in html
    assert "Công chức xã" in html or "Cán bộ xã" in html  # the role, in Vietnamese
    assert "Trưởng thôn" in html
    assert "Đồng ý" in html
    assert "Chủ hộ" in html  # the declared member's relation, in the catalogue's words
    # The status page leads to it by a form carrying the proof in its body.
    status = text(
        client.post(
            "/status", data={"csrf_token": token, "tracking_code": reviewed, "proof": PHONE}
        )
    )
    assert 'action="/status/my-data"' in status


def test_the_printable_page_refuses_a_wrong_proof_and_stops_guessing(client, db_session, reviewed):
    token = csrf(client)
    wrong = {"csrf_token": token, "tracking_code": reviewed, "proof": "0987654321"}

    answers = [client.post("/status/my-data", data=wrong) for _ in range(MAX_WRONG_PER_CODE)]

    assert [answer.status_code for answer in answers] == [404] * MAX_WRONG_PER_CODE
    assert all("Nguyễn Thị Lan" not in text(answer) for answer in answers)
    right = {**wrong, "proof": PHONE}
    refused = client.post("/status/my-data", data=right)
    assert refused.status_code == 429
    assert "Nguyễn Thị Lan" not in text(refused)


def test_no_proof_in_a_url_reaches_the_page(client, reviewed):
    response = client.get(f"/status/my-data?tracking_code={reviewed}&proof={PHONE}")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/status/my-data")
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 303
    assert followed.headers["Location"].endswith("/status")
