"""Every write is checked against the official's units in the service layer (issue 12, class 4).

Each write endpoint of the node — the paper intake included — is sent, by an official of every
role whose units do not cover it, a request that would be accepted from an official whose units
do: the application at the status the step needs, the body valid. It is refused (403: the role
never does this; 404: not in your area, as for no record) and nothing is written. A village
head's meeting may not be filed under another village, nor a paper application in another
commune.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from node.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Complaint,
    Decision,
    DistrictOpinion,
    DuplicateFlag,
    Meeting,
    PeriodicReview,
    Posting,
    Verification,
)
from tests.builders import application_request
from tests.node.officials_helpers import OTHER_IDENTITIES, new_application, posted, verified
from tests.node.review_helpers import IDENTITIES, MEETING_DAY, act, verified_facts

pytestmark = pytest.mark.usefixtures("fixed_clock")

# Officials of every role, each with units that do not cover village 00070-001 of commune
# 00070, where the applications are (the province's roles cover it, but never write there).
OUTSIDERS = {
    "village head of another village": ("village_head", ("00070-002",)),
    "commune officer of another commune": ("commune_officer", ("00073",)),
    "commune chair of another commune": ("commune_chair", ("00073",)),
    "province officer": ("province_officer", ("01",)),
    "province admin": ("province_admin", ("01",)),
}
WRITTEN = (Application, ApplicationEvent, AuditEntry, Verification, Meeting, Posting, Complaint,
           DistrictOpinion, Decision, PeriodicReview)  # fmt: skip


def submitted(client, team) -> dict:
    return {"id": new_application(client, team.officer)}


def started(client, team) -> dict:
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review", assign_to=team.head.user_id)
    return {"id": app_id}


def verified_one(client, team) -> dict:
    app_id = new_application(client, team.officer)
    verified(client, team, app_id)
    return {"id": app_id}


def meeting_held(client, team) -> dict:
    found = verified_one(client, team)
    act(client, team.head.bearer, found["id"], "record_meeting", held_on=MEETING_DAY.isoformat(),
        attendees=10, agreeing=6)  # fmt: skip
    return found


def posted_one(client, team) -> dict:
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    return {"id": app_id}


def flagged(client, team) -> dict:
    """Two households that share a member: the second one's verification flags the first."""
    first = new_application(client, team.officer)
    verified(client, team, first)
    second = new_application(
        client,
        team.officer,
        applicant={"full_name": "Trần Văn Bình", "citizen_id": "001190054321",
                   "phone": "0911111111"},
    )  # fmt: skip
    file = act(client, team.officer.bearer, second, "start_review", assign_to=team.head.user_id)
    file = act(client, team.head.bearer, second, "verify", facts=verified_facts(),
               identities=[OTHER_IDENTITIES[0], IDENTITIES[1]])  # fmt: skip
    return {"id": second, "flag": file["duplicates"][0]["id"]}


def action(name: str, **body) -> Callable[[dict], tuple[str, dict]]:
    return lambda c: (f"/api/v1/applications/{c['id']}/actions/{name}", body)


DECIDED_ON = "2026-11-24"
# (prepare, request) for each write endpoint: what an official of the application's commune
# (or village) would be allowed to do with it.
ENDPOINTS = {
    "paper intake": (lambda client, team: {},
                     lambda c: ("/api/v1/applications", application_request(
                         village_code="00070-001"))),
    "start_review": (submitted, action("start_review")),
    "assign": (submitted, action("assign", user_id=1)),
    "withdraw": (submitted, action("withdraw")),
    "verify": (started, action("verify", facts=verified_facts(), identities=IDENTITIES)),
    "record_meeting": (verified_one, action("record_meeting", held_on=MEETING_DAY.isoformat(),
                                            attendees=10, agreeing=6)),
    "meetings": (verified_one, lambda c: ("/api/v1/meetings", {
        "held_on": MEETING_DAY.isoformat(), "attendees": 10, "village_code": "00070-001",
        "votes": [{"application_id": c["id"], "agreeing": 6}]})),
    "post": (meeting_held, action("post", starts_on="2026-11-14")),
    "postings": (meeting_held, lambda c: ("/api/v1/postings", {
        "starts_on": "2026-11-14", "application_ids": [c["id"]]})),
    "complaint": (posted_one, action("complaint", content="Khiếu nại", received_on="2026-11-17")),
    "district_opinion": (posted_one, action("district_opinion", received_on="2026-11-20",
                                            agrees=True)),
    "decide": (posted_one, action("decide", number="1/QĐ-UBND", decided_on=DECIDED_ON,
                                  outcome="recognised")),
    "decisions": (posted_one, lambda c: ("/api/v1/decisions", {
        "number": "1/QĐ-UBND", "decided_on": DECIDED_ON,
        "lines": [{"application_id": c["id"], "outcome": "recognised"}]})),
    "resolve a duplicate": (flagged, lambda c: (f"/api/v1/duplicates/{c['flag']}/resolve",
                                                {"resolution": "distinct"})),
}  # fmt: skip


def what_is_written(db_session) -> tuple:
    db_session.expire_all()
    counts = tuple(db_session.scalar(select(func.count()).select_from(model)) for model in WRITTEN)
    applications = tuple(db_session.execute(
        select(Application.id, Application.status, Application.version).order_by(Application.id)
    ))  # fmt: skip
    flags = tuple(db_session.execute(select(DuplicateFlag.id, DuplicateFlag.resolution)))
    return counts, applications, flags


@pytest.mark.parametrize("outsider", list(OUTSIDERS))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_no_write_reaches_outside_the_officials_units(
    client, db_session, team, login_as, endpoint, outsider
):
    prepare, request = ENDPOINTS[endpoint]
    found = prepare(client, team)
    role, units = OUTSIDERS[outsider]
    headers = login_as(role, units)
    path, body = request(found)
    # (Only the paper intake reads the key: a commune officer of 00073 filing a form of 00070.)
    headers = {**headers, "Idempotency-Key": "paper-form-0001"}
    before = what_is_written(db_session)

    response = client.post(path, json=body, headers=headers)

    assert response.status_code in (403, 404), (endpoint, outsider, response.get_json())
    assert what_is_written(db_session) == before


@pytest.mark.parametrize("village_code", [None, "00073-001"])
def test_a_commune_officer_files_paper_forms_only_in_their_commune(
    client, db_session, login_as, make_user, village_code
):
    make_user("village_head", ("00073-001",))  # the village exists
    officer = login_as("commune_officer", ("00070",))
    body = application_request(commune_code="00073", village_code=village_code)
    before = db_session.scalar(select(func.count()).select_from(Application))

    response = client.post(
        "/api/v1/applications", json=body, headers={**officer, "Idempotency-Key": "paper-0000001"}
    )

    assert response.status_code == 403, response.get_json()
    assert "commune_code" in response.get_json()["error"]["fields"]
    assert db_session.scalar(select(func.count()).select_from(Application)) == before
    # In their own commune it is a paper form, filed by them.
    body = application_request(commune_code="00070", village_code=None)
    response = client.post(
        "/api/v1/applications", json=body, headers={**officer, "Idempotency-Key": "paper-0000002"}
    )
    assert response.status_code == 201, response.get_json()
    filed = db_session.scalar(
        select(Application).where(Application.tracking_code == response.get_json()["tracking_code"])
    )
    assert (filed.channel, filed.filed_by_id is not None) == ("paper", True)


def test_a_village_head_records_meetings_only_for_their_villages(
    client, db_session, team, make_user
):
    make_user("village_head", ("00070-002",))  # the other village of the commune exists
    found = verified_one(client, team)
    before = what_is_written(db_session)

    response = client.post(
        "/api/v1/meetings",
        json={"held_on": MEETING_DAY.isoformat(), "attendees": 10, "village_code": "00070-002",
              "votes": [{"application_id": found["id"], "agreeing": 6}]},
        headers=team.head.bearer,
    )  # fmt: skip

    assert response.status_code in (403, 404, 422), response.get_json()
    assert "village_code" in response.get_json()["error"]["fields"]
    assert what_is_written(db_session) == before
