"""The applicant's own lookups (DESIGN §5, issue 12): the proof travels in the body, never in a
URL, and wrong proofs are counted in the database so that guessing stops.

``POST /api/v1/applications/<tracking_code>/lookup``, ``…/withdraw`` and ``…/my-data`` take
``{"phone"}`` or ``{"citizen_id"}``; the portal's forms (/status, /receipt, /status/withdraw)
take the same proof and share the same counts.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from node.models import Application, LookupAttempt
from node.scheduler import prune_lookups
from node.services.lookups import MAX_WRONG_PER_CLIENT, MAX_WRONG_PER_CODE, WINDOW
from node.services.tracking import new_tracking_code
from tests.builders import application_request

IN_WINDOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
PHONE, CITIZEN_ID = "0912345678", "001190012345"
WRONG_PHONES = [f"09876543{index:02d}" for index in range(60)]

pytestmark = [pytest.mark.usefixtures("fixed_clock"), pytest.mark.now(IN_WINDOW)]


def submit(client) -> str:
    response = client.post(
        "/api/v1/applications",
        json=application_request(),
        headers={"Idempotency-Key": f"key-{new_tracking_code()}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["tracking_code"]


def lookup(client, code: str, what: str = "lookup", **proof):
    return client.post(f"/api/v1/applications/{code}/{what}", json=proof or {"phone": PHONE})


@pytest.fixture
def submitted(client) -> str:
    return submit(client)


# --- class 1: the proof never travels in a URL ------------------------------------------------


def test_lookup_takes_the_proof_in_the_body(client, submitted):
    dashed = f"{submitted[:4].lower()}-{submitted[4:8]}-{submitted[8:]}"

    by_phone = lookup(client, dashed, phone="0912 345 678")
    by_id = lookup(client, submitted, citizen_id=CITIZEN_ID)

    assert by_phone.status_code == by_id.status_code == 200
    body = by_phone.get_json()
    assert body["tracking_code"] == submitted
    assert body["status"] == "submitted"
    assert [entry["action"] for entry in body["history"]] == ["submit"]
    assert body["assessment"]["classification"] == "near_poor"
    assert "due_on" in body
    assert "applicant_name" not in json.dumps(body)


@pytest.mark.parametrize(
    "query", ["phone=0912345678", "citizen_id=001190012345", "", "proof=0912345678"]
)
def test_the_query_string_form_is_refused_and_names_the_lookup(client, submitted, query):
    response = client.get(f"/api/v1/applications/{submitted}?{query}")

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "POST /api/v1/applications/<tracking_code>/lookup" in error["message"]
    assert submitted not in json.dumps(error)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("what", ["lookup", "withdraw", "my-data"])
def test_a_proof_in_the_query_string_of_a_post_is_refused_too(client, db_session, submitted, what):
    response = client.post(
        f"/api/v1/applications/{submitted}/{what}?phone={PHONE}", json={"phone": PHONE}
    )

    assert response.status_code == 400
    assert "body" in response.get_json()["error"]["message"]
    assert db_session.scalar(select(Application.status)) == "submitted"


@pytest.mark.parametrize("proof", [{}, {"phone": ""}, {"phone": "12"}, {"nickname": "x"}])
def test_a_missing_or_malformed_proof_is_a_422(client, submitted, proof):
    response = client.post(f"/api/v1/applications/{submitted}/lookup", json=proof)

    assert response.status_code == 422


@pytest.mark.parametrize("proof", [{"phone": "0987654321"}, {"citizen_id": "001190099999"}])
def test_a_wrong_proof_is_not_found(client, submitted, proof):
    assert lookup(client, submitted, **proof).status_code == 404


def test_an_unknown_code_looks_the_same_as_a_wrong_proof(client, submitted):
    unknown = lookup(client, new_tracking_code())
    wrong = lookup(client, submitted, phone="0987654321")

    assert unknown.status_code == wrong.status_code == 404
    assert unknown.get_json() == wrong.get_json()


@pytest.mark.parametrize("what", ["lookup", "withdraw", "my-data"])
def test_every_answer_about_an_application_is_no_store(client, submitted, what):
    right = lookup(client, submitted, what)
    wrong = lookup(client, submitted, what, phone="0987654321")

    assert right.status_code == 200
    assert right.headers["Cache-Control"] == wrong.headers["Cache-Control"] == "no-store"
    assert "ETag" not in right.headers


def test_withdraw_takes_the_proof_in_the_body(client, db_session, submitted):
    response = lookup(client, submitted, "withdraw")

    assert response.status_code == 200
    assert response.get_json()["status"] == "withdrawn"
    assert [e["action"] for e in response.get_json()["history"]] == ["submit", "withdraw"]
    again = lookup(client, submitted, "withdraw")
    assert again.status_code == 409
    assert again.get_json()["error"]["allowed_actions"] == []


def test_withdraw_needs_the_right_proof(client, db_session, submitted):
    assert lookup(client, submitted, "withdraw", phone="0987654321").status_code == 404
    assert db_session.scalar(select(Application.status)) == "submitted"


def test_my_data_gives_everything_held_about_the_file(client, submitted):
    response = lookup(client, submitted, "my-data", citizen_id=CITIZEN_ID)

    assert response.status_code == 200
    body = response.get_json()
    assert body["applicant"] == {
        "full_name": "Nguyễn Thị Lan",
        "citizen_id": CITIZEN_ID,
        "phone": PHONE,
    }
    assert body["application"]["tracking_code"] == submitted
    assert body["declared_facts"]["members"][0]["relation"] == "head"
    assert body["consent"]["purpose"]
    assert [entry["action"] for entry in body["application"]["history"]] == ["submit"]
    assert "access_log" in body
    assert body["verifications"] == []
    assert body["household"] is None


# --- class 2: guessing is stopped -------------------------------------------------------------


def assert_limited(response, *, at_most: timedelta = WINDOW) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= at_most.total_seconds()
    assert response.headers["Cache-Control"] == "no-store"


def test_five_wrong_proofs_stop_the_code_even_for_the_right_proof(client, submitted):
    wrong = [lookup(client, submitted, phone=phone) for phone in WRONG_PHONES[:MAX_WRONG_PER_CODE]]
    assert [response.status_code for response in wrong] == [404] * MAX_WRONG_PER_CODE

    right = lookup(client, submitted)

    assert_limited(right)
    assert right.get_json()["error"]["code"] == "too_many_requests"
    assert lookup(client, submitted, citizen_id=CITIZEN_ID).status_code == 429


def test_the_code_answers_again_once_the_window_passes(client, submitted, fixed_clock):
    for phone in WRONG_PHONES[:MAX_WRONG_PER_CODE]:
        lookup(client, submitted, phone=phone)
    fixed_clock.advance(timedelta(minutes=10))
    limited = lookup(client, submitted)
    assert_limited(limited, at_most=timedelta(minutes=5))

    fixed_clock.advance(timedelta(seconds=int(limited.headers["Retry-After"])))

    assert lookup(client, submitted).status_code == 200


def test_right_proofs_are_not_counted(client, submitted):
    for _ in range(MAX_WRONG_PER_CODE * 2):
        assert lookup(client, submitted).status_code == 200
    for phone in WRONG_PHONES[: MAX_WRONG_PER_CODE - 1]:
        lookup(client, submitted, phone=phone)

    assert lookup(client, submitted).status_code == 200


def test_case_and_dash_variants_of_a_code_count_as_one(client, submitted):
    variants = [
        submitted.lower(),
        f"{submitted[:4]}-{submitted[4:8]}-{submitted[8:]}",
        f"{submitted[:4].lower()}-{submitted[4:]}",
        f"{submitted[:5]}%20{submitted[5:]}",
        submitted,
    ]
    for variant, phone in zip(variants, WRONG_PHONES, strict=False):
        assert lookup(client, variant, phone=phone).status_code == 404

    assert_limited(lookup(client, submitted))


def test_withdraw_and_my_data_share_the_count(client, db_session, submitted):
    lookup(client, submitted, phone=WRONG_PHONES[0])
    lookup(client, submitted, "withdraw", phone=WRONG_PHONES[1])
    lookup(client, submitted, "my-data", phone=WRONG_PHONES[2])
    lookup(client, submitted, "withdraw", citizen_id="001190099999")
    lookup(client, submitted, phone=WRONG_PHONES[3])

    assert_limited(lookup(client, submitted, "withdraw"))
    assert_limited(lookup(client, submitted, "my-data"))
    assert db_session.scalar(select(Application.status)) == "submitted"


def test_an_unknown_code_is_limited_like_a_known_one(client):
    code = new_tracking_code()
    answers = [lookup(client, code, phone=phone).status_code for phone in WRONG_PHONES[:6]]

    assert answers == [404] * MAX_WRONG_PER_CODE + [429]


def test_the_portal_shares_the_count_with_the_api(client, submitted):
    page = client.get("/status").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    for phone in WRONG_PHONES[:3]:
        form = {"csrf_token": token, "tracking_code": submitted, "proof": phone}
        assert client.post("/status", data=form).status_code == 404
    for phone in WRONG_PHONES[3:MAX_WRONG_PER_CODE]:
        lookup(client, submitted, phone=phone)

    form = {"csrf_token": token, "tracking_code": submitted, "proof": PHONE}
    for path in ("/status", "/receipt", "/status/withdraw"):
        page = client.post(path, data=form)
        assert_limited(page)
        html = page.get_data(as_text=True)
        assert "Tra cứu sai quá nhiều lần" in html
        assert PHONE not in html


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_guessing_spread_over_many_codes_from_one_address_is_stopped(client, submitted):
    guesser = from_address(client, "203.0.113.7")
    for index in range(MAX_WRONG_PER_CLIENT):
        assert lookup(guesser, new_tracking_code(), phone=WRONG_PHONES[index]).status_code == 404

    # Its next try is refused whatever it is, while the same code from elsewhere still answers.
    assert_limited(lookup(guesser, submitted))
    assert lookup(from_address(client, "198.51.100.20"), submitted).status_code == 200


def test_ipv6_clients_are_counted_by_their_64_bit_network(client, submitted):
    for index in range(MAX_WRONG_PER_CLIENT):
        address = f"2001:db8:1:2:{index:x}::1"
        answer = lookup(from_address(client, address), new_tracking_code(), phone=WRONG_PHONES[0])
        assert answer.status_code == 404

    assert_limited(lookup(from_address(client, "2001:db8:1:2:ffff::9"), submitted))
    assert lookup(from_address(client, "2001:db8:1:3::1"), submitted).status_code == 200


def test_the_counts_hold_no_code_or_address(client, db_session, submitted):
    lookup(from_address(client, "203.0.113.7"), submitted, phone=WRONG_PHONES[0])

    rows = db_session.scalars(select(LookupAttempt)).all()
    assert {row.scope for row in rows} == {"code", "client"}
    stored = json.dumps([[row.key, row.failures] for row in rows])
    assert submitted not in stored
    assert "203.0.113.7" not in stored
    assert db_session.scalar(select(func.sum(LookupAttempt.failures))) == 2


def test_the_scheduler_deletes_counts_whose_window_passed(client, db_session, fixed_clock):
    lookup(client, new_tracking_code(), phone=WRONG_PHONES[0])
    fixed_clock.advance(WINDOW - timedelta(seconds=1))
    assert prune_lookups() == 0
    fixed_clock.advance(timedelta(seconds=1))

    assert prune_lookups() == 2
    assert db_session.scalar(select(func.count()).select_from(LookupAttempt)) == 0
