"""No personal data in the application's logs (issue 7): a whole procedure, logged at DEBUG."""

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
    client.get(f"/api/v1/applications/{tracking}?phone={APPLICANT['phone']}")
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
    secrets = [APPLICANT["full_name"], APPLICANT["citizen_id"], APPLICANT["phone"]]
    secrets += [identity["full_name"] for identity in IDENTITIES]
    secrets += [identity["citizen_id"] for identity in IDENTITIES]
    for secret in secrets:
        assert secret not in logged, secret
