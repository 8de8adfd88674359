"""No personal data in the application's logs (issues 7 and 12): a whole procedure, logged at
DEBUG, with the applicant's lookups in every form (right, wrong, over the limit, and with the
proof in a query string as a careless client would send it).

This is the app's own log (what Python's logging gets); the access logs of gunicorn and nginx
are read in tests/node/test_access_logs.py and the deploy test."""

from __future__ import annotations

import logging

import pytest

from node.services import accounts
from tests.node.review_helpers import IDENTITIES, NOW, act, application_id, submit, to_posted

APPLICANT = {"full_name": "Hoàng Thị Nhung", "citizen_id": "034190087654", "phone": "0987123456"}


pytestmark = pytest.mark.usefixtures("fixed_clock")


def test_a_whole_procedure_logs_no_name_id_or_phone(
    client, db_session, make_user, login_as, caplog
):
    caplog.set_level(logging.DEBUG)
    head = make_user("village_head")
    head_token = accounts.open_session(db_session, head, accounts.API, now=NOW)
    db_session.commit()
    officer, chair = login_as("commune_officer"), login_as("commune_chair")
    head_headers = {"Authorization": f"Bearer {head_token}"}

    tracking = submit(client, applicant=APPLICANT)["tracking_code"]
    lookup = f"/api/v1/applications/{tracking}/lookup"
    client.post(lookup, json={"phone": APPLICANT["phone"]})
    client.post(lookup, json={"citizen_id": APPLICANT["citizen_id"]})
    client.get(f"/api/v1/applications/{tracking}?phone={APPLICANT['phone']}")
    for wrong in range(6):
        client.post(lookup, json={"phone": f"098765432{wrong}"})
    client.post(lookup, json={"phone": APPLICANT["phone"]})  # over the limit: a 429
    app_id = application_id(client, officer, tracking)
    to_posted(client, officer, head_headers, app_id, head.id)
    act(client, chair, app_id, "decide", number="8/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    client.get("/api/v1/reports/R5?period=2026", headers=officer)
    # Bad input too: error paths must not echo the values back into the log.
    client.post("/api/v1/applications", json={"applicant": APPLICANT},
                headers={"Idempotency-Key": "bad-key-0001"})  # fmt: skip
    client.post("/api/v1/auth/token", json={"username": APPLICANT["full_name"], "password": "x"})

    logged = caplog.text
    assert "application" in logged  # the run did log: the check below is not vacuous
    secrets = [APPLICANT["full_name"], APPLICANT["citizen_id"], APPLICANT["phone"], tracking]
    secrets += [identity["full_name"] for identity in IDENTITIES]
    secrets += [identity["citizen_id"] for identity in IDENTITIES]
    for secret in secrets:
        assert secret not in logged, secret
