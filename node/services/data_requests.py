"""A resident's requests about their personal data (issue 18): correction, consent withdrawal,
deletion, restriction.

The applicant makes one with the lookup's proof (node.services.lookups counts and limits it);
it is recorded with which proof they used, gets its legal deadline from
``data_requests.json``, goes on the commune's list of open requests and into the audit log.
Withdrawing consent on an application the commune still works on stops it as a withdrawal
does; on a decided household it is recorded and answered by an official under the public-duty
exception (the household's record is an official one). An official of the commune answers:
done, or refused with a reason the resident reads on the status page. Flushes, never commits.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import OPEN_STATUSES, Application, ApplicationEvent
from node.models.requests import DataRequest
from node.services import audit
from node.services.context import NodeContext
from node.services.errors import Conflict, NotFound, ValidationFailed
from node.services.identity import normalize_text
from node.services.retention import anonymise_applications
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    PROVINCE_OFFICER,
    Official,
    require_role,
)

ANSWERERS = (COMMUNE_OFFICER, COMMUNE_CHAIR)
MAX_TEXT = 2000


@cache
def deadlines() -> dict[str, Any]:
    """The answer deadline of each kind of request, with its basis (data_requests.json)."""
    text = resources.files("node.services").joinpath("data_requests.json").read_text("utf-8")
    return json.loads(text)["deadlines"]


def make_request(
    session: Session,
    application: Application,
    data: dict[str, Any],
    proof: str,
    context: NodeContext,
) -> DataRequest:
    """Record the applicant's request (already proven with ``proof``: "phone" or
    "citizen_id"), put it on the commune's list with its deadline, and audit it."""
    kind = data["kind"]
    fields = _texts(data, kind)
    request = DataRequest(
        application_id=application.id,
        commune_code=application.commune_code,
        kind=kind,
        proof=proof,
        received_at=context.now,
        due_at=context.now + timedelta(hours=deadlines()[kind]["hours"]),
        status="open",
        **fields,
    )
    session.add(request)
    session.flush()
    if kind == "consent_withdrawal":
        _withdraw_consent(session, application, request, context)
    audit.record(
        session, None, "data_request", "data_request", request.id, context.now,
        application_id=application.id, household_id=application.household_id,
        details={"kind": kind}, role="resident",
    )  # fmt: skip
    session.flush()
    return request


def _texts(data: dict[str, Any], kind: str) -> dict[str, str | None]:
    """The request's free text, cleaned; a correction must say what is wrong and what it
    should be."""
    fields = {
        name: normalize_text(data.get(name) or "") or None
        for name in ("what_is_wrong", "should_be", "reason")
    }
    errors = {
        name: f"At most {MAX_TEXT} characters."
        for name, value in fields.items()
        if value and len(value) > MAX_TEXT
    }
    if kind == "correction":
        for name in ("what_is_wrong", "should_be"):
            if not fields[name]:
                errors[name] = "Required for a correction."
    if errors:
        raise ValidationFailed("The request is incomplete.", errors)
    return fields


def _withdraw_consent(
    session: Session, application: Application, request: DataRequest, context: NodeContext
) -> None:
    """An open application stops as a withdrawal does; a decided household's record stays
    (public duty) and an official answers the request."""
    if application.status in OPEN_STATUSES:
        application.events.append(
            ApplicationEvent(
                at=context.now,
                action="withdraw_consent",
                from_status=application.status,
                to_status="withdrawn",
                actor_role="resident",
            )
        )
        application.status = "withdrawn"
        application.updated_at = context.now
        request.status = "done"
        request.handling = "processing_stopped"
        request.answered_at = context.now
    elif application.status == "decided":
        request.handling = "public_duty"


def answer_request(
    session: Session,
    official: Official,
    request_id: int,
    outcome: str,
    answer: str | None,
    context: NodeContext,
) -> DataRequest:
    """An official of the request's commune answers it: ``done`` or ``refused`` (with the
    reason the resident will read)."""
    require_role(official, *ANSWERERS)
    request = session.get(DataRequest, request_id)
    if request is None or not official.sees_commune(request.commune_code):
        raise NotFound("No request with this id is in your area.")
    if request.status != "open":
        raise Conflict("This request has already been answered.", allowed=[])
    text = normalize_text(answer or "") or None
    if outcome not in ("done", "refused"):
        raise ValidationFailed("Answer done or refused.", {"outcome": "done or refused"})
    if outcome == "refused" and not text:
        raise ValidationFailed("A refusal needs its reason.", {"answer": "required"})
    if text and len(text) > MAX_TEXT:
        raise ValidationFailed("The answer is too long.", {"answer": f"at most {MAX_TEXT}"})
    if outcome == "done" and request.kind == "deletion":
        _delete(session, official, request, context)
    request.status = outcome
    request.answer = text
    request.answered_by = official.user_id
    request.answered_at = context.now
    audit.record(
        session, official, "answer_data_request", "data_request", request.id, context.now,
        application_id=request.application_id, details={"kind": request.kind, "outcome": outcome},
    )  # fmt: skip
    session.flush()
    return request


def _delete(
    session: Session, official: Official, request: DataRequest, context: NodeContext
) -> None:
    """Carry out a deletion the official agreed to: an open application stops (withdrawn), and
    what identifies its people is removed as retention removes it. A recognised household's
    record is an official one (public duty): such a request is refused, with that reason."""
    application = session.get(Application, request.application_id)
    if application.outcome == "recognised":
        raise Conflict(
            "The household is recognised: its record is kept for the public duty. Refuse the "
            "request with that reason.",
            allowed=["refused"],
        )
    if application.status in OPEN_STATUSES:
        application.events.append(
            ApplicationEvent(
                at=context.now, action="delete_on_request", from_status=application.status,
                to_status="withdrawn", actor_role=official.role, actor_id=official.user_id,
            )
        )  # fmt: skip
        application.status = "withdrawn"
        application.updated_at = context.now
    session.flush()
    anonymise_applications(session, [application.id], context.now)
    session.expire(application)


def open_requests(session: Session, official: Official, context: NodeContext) -> list[DataRequest]:
    """The open requests of the official's commune (every commune's for the province), the
    earliest deadline first; a read of what residents wrote, so audited."""
    require_role(official, *ANSWERERS, PROVINCE_OFFICER, PROVINCE_ADMIN)
    query = select(DataRequest).where(DataRequest.status == "open")
    if official.level != "province":
        query = query.where(DataRequest.commune_code == official.commune_code)
    found = list(session.scalars(query.order_by(DataRequest.due_at, DataRequest.id)))
    audit.record(
        session, official, "list_data_requests", "data_request", None, context.now,
        details={"count": len(found)},
    )  # fmt: skip
    return found


def open_count(session: Session, official: Official) -> int:
    """How many requests wait for an answer in the official's commune (not a read of them)."""
    if official.role not in ANSWERERS:
        return 0
    return session.scalar(
        select(func.count())
        .select_from(DataRequest)
        .where(DataRequest.status == "open", DataRequest.commune_code == official.commune_code)
    )


def requests_of(session: Session, application: Application) -> list[dict[str, Any]]:
    """The applicant's requests on this application, as they see them."""
    found = session.scalars(
        select(DataRequest)
        .where(DataRequest.application_id == application.id)
        .order_by(DataRequest.id)
    )
    return [request_view(request) for request in found]


def request_view(request: DataRequest) -> dict[str, Any]:
    """One request: what was asked, its deadline, and the answer once given."""
    return {
        "id": request.id,
        "kind": request.kind,
        "what_is_wrong": request.what_is_wrong,
        "should_be": request.should_be,
        "reason": request.reason,
        "received_at": request.received_at.isoformat(),
        "due_at": request.due_at.isoformat(),
        "status": request.status,
        "handling": request.handling,
        "answer": request.answer,
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
    }
