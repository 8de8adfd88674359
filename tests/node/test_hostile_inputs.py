"""No input gives a 500, on PostgreSQL too, and a refused input writes nothing (issue 12,
class 6).

Every write endpoint of the node gets a request that would be accepted (the application at the
status the step needs), then, one leaf of its body at a time, hostile variants of it: text
longer than any column, control characters (NUL among them, which PostgreSQL refuses to store),
other scripts' digits where digits go (they never match a lookup or a duplicate check), absurd
numbers (10³⁰, 10³⁰⁰, −1) and far-future or far-past dates. Each is refused with a 4xx and
nothing is written; the query parameters of the reading endpoints (filters, the file's ``why``,
the reports', the hub's period) get the same. The module runs on every backend under test
(SQLite always, PostgreSQL with GIAMNGHEO_TEST_DATABASE_URL).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

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
    Household,
    Meeting,
    Member,
    PeriodicReview,
    Posting,
    User,
    Verification,
)
from node.services import hub_access
from tests.builders import application_request
from tests.node.officials_helpers import new_application, sign_in
from tests.node.review_helpers import NOW
from tests.node.test_write_scope import ENDPOINTS

pytestmark = pytest.mark.usefixtures("fixed_clock")

WRITTEN = (Application, ApplicationEvent, Verification, Meeting, Posting, Complaint,
           DistrictOpinion, Decision, PeriodicReview, Household, Member, User)  # fmt: skip
# Arabic-Indic and fullwidth digits: str.isdigit() and \d say yes to both.
UNICODE_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
DATES = ("0001-01-01", "1800-02-03", "2099-06-01", "9999-12-31")
# Who sends each endpoint's request (the team member whose step it is).
SENDER = {
    "paper intake": "officer", "start_review": "officer", "assign": "officer",
    "withdraw": "officer", "verify": "head", "record_meeting": "head", "meetings": "head",
    "post": "officer", "postings": "officer", "complaint": "officer",
    "district_opinion": "officer", "decide": "chair", "decisions": "chair",
    "resolve a duplicate": "officer",
}  # fmt: skip


def variants(value: Any) -> Iterator[Any]:
    """Hostile stand-ins for one leaf of a body."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        yield from (10**30, 1e300, -1, 2**63, str(value).translate(UNICODE_DIGITS))
        return
    if not isinstance(value, str):
        return
    yield "x" * 10_000
    yield value + "\x00"
    yield value[:1] + "\x07\x1b" + value[1:]
    if any(char.isdigit() for char in value):
        yield value.translate(UNICODE_DIGITS)
        yield value.translate(FULLWIDTH_DIGITS)
    if len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        yield from DATES


def leaves(body: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(body, dict):
        for key, value in body.items():
            yield from leaves(value, (*path, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from leaves(value, (*path, index))
    else:
        yield path, body


def replaced(body: Any, path: tuple, value: Any) -> Any:
    changed = copy.deepcopy(body)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def what_is_written(db_session) -> tuple:
    db_session.expire_all()
    counts = tuple(db_session.scalar(select(func.count()).select_from(model)) for model in WRITTEN)
    applications = tuple(db_session.execute(
        select(Application.id, Application.status, Application.version).order_by(Application.id)
    ))  # fmt: skip
    flags = tuple(db_session.execute(select(DuplicateFlag.id, DuplicateFlag.resolution)))
    return counts, applications, flags


def refused(response) -> bool:
    return 400 <= response.status_code < 500


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_hostile_bodies_are_refused_and_write_nothing(client, db_session, team, endpoint):
    prepare, request = ENDPOINTS[endpoint]
    found = prepare(client, team)
    path, body = request(found)
    headers = {**team[SENDER[endpoint]], "Idempotency-Key": "hostile-0001"}
    before = what_is_written(db_session)
    accepted = []
    for where, value in leaves(body):
        for hostile in variants(value):
            response = client.post(path, json=replaced(body, where, hostile), headers=headers)
            if not refused(response) or what_is_written(db_session) != before:
                accepted.append((where, repr(hostile)[:40], response.status_code))
    assert accepted == [], accepted


def test_a_residents_hostile_submission_is_refused_and_writes_nothing(client, db_session):
    body = application_request(village_code=None)
    before = what_is_written(db_session)
    accepted = []
    for number, (where, value) in enumerate(leaves(body)):
        for hostile in variants(value):
            response = client.post(
                "/api/v1/applications",
                json=replaced(body, where, hostile),
                headers={"Idempotency-Key": f"hostile-{number:06d}"},
            )
            if not refused(response) or what_is_written(db_session) != before:
                accepted.append((where, repr(hostile)[:40], response.status_code))
    assert accepted == [], accepted


def test_hostile_sign_ins_are_refused(client, db_session, make_user):
    make_user("commune_officer", username="canbo.xa")
    body = {"username": "canbo.xa", "password": "wrong but long enough", "totp": "123456"}
    accepted = []
    for where, value in leaves(body):
        for hostile in variants(value):
            response = client.post("/api/v1/auth/token", json=replaced(body, where, hostile))
            if not refused(response):
                accepted.append((where, repr(hostile)[:40], response.status_code))
    assert accepted == [], accepted


QUERIES = {
    "/api/v1/applications": [
        "period=²", "period=٢٠٢٦", "period=10000000000000000000000000000", "page=²",
        "per_page=-1", "commune=٠٠٠٧٠", "village=" + "x" * 10_000, "status=%07",
        "kind=" + "k" * 5000, "overdue=maybe",
    ],
    "/api/v1/applications/{id}": ["why=" + "x" * 501, "why=a%07b", "why=a%1bb"],
    "/api/v1/reports/R1": ["period=²", "period=٢٠٢٦", "unit=" + "u" * 10_000, "format=%07"],
    "/api/v1/aggregates": ["period=²", "period=٢٠٢٦", "period=99999999999999999999"],
}  # fmt: skip


@pytest.mark.parametrize("route", list(QUERIES))
def test_hostile_query_parameters_are_refused(client, db_session, team, route):
    path = route.format(id=new_application(client, team.officer))
    headers = team["officer"]
    if route == "/api/v1/aggregates":
        headers = {"Authorization": f"Bearer {hub_access.issue_hub_token(db_session, NOW)}"}
        db_session.commit()
    audit = db_session.scalar(select(func.count()).select_from(AuditEntry))
    answers = {query: client.get(f"{path}?{query}", headers=headers) for query in QUERIES[route]}
    assert {q: r.status_code for q, r in answers.items() if not refused(r)} == {}
    # A refused read is no read: nothing in the audit log.
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audit


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_the_audit_log_filters_take_any_day(app, make_user, db_session, path):
    admin = sign_in(app, make_user, db_session, "province_admin", ["01"])
    for days in ("date_from=0001-01-01", "date_to=9999-12-31",
                 "date_from=0001-01-01&date_to=9999-12-31", "date_from=31/12/9999"):  # fmt: skip
        assert admin.get(f"{path}?{days}").status_code == 200, days
