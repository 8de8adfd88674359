"""Submitting, finding and withdrawing applications (Mẫu 01 / Mẫu 04) for residents."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationEvent, IdempotencyKey
from node.models.audit import AuditEntry
from node.models.review import Posting, PostingItem
from node.models.units import Village
from node.models.users import User
from node.services import consent
from node.services.accounts import official_for_user
from node.services.context import RESIDENT, Actor, NodeContext
from node.services.errors import Conflict, IdempotencyKeyReused, NotFound, ValidationFailed
from node.services.periods import accepted_periods
from node.services.places import area_of, with_area
from node.services.scopes import COMMUNE_OFFICER, Forbidden
from node.services.search import index_new_applicants
from node.services.submission_writes import SubmissionRows, write_submission
from node.services.tracking import new_tracking_code, normalize_tracking_code
from node.services.workflow import INITIAL_STATUS, OPEN_STATUSES, check_transition, step_key
from shared import units
from shared.standards import InvalidFacts, evaluate

logger = logging.getLogger(__name__)

IDEMPOTENCY_SCOPE = "applications"


@dataclass(frozen=True)
class Submission:
    """The answer to a submission; a retry with the same key gets the same one."""

    status_code: int
    body: dict[str, Any]
    replayed: bool


def request_fingerprint(request: dict[str, Any]) -> str:
    """A hash of the request's content, independent of key order and spacing."""
    canonical = json.dumps(
        request, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submit_application(
    session: Session,
    request: dict[str, Any],
    idempotency_key: str,
    context: NodeContext,
    *,
    channel: str = "portal",
    actor: Actor = RESIDENT,
) -> Submission:
    """Record an application, or replay the answer already given for ``idempotency_key``.

    ``request`` is the loaded body of ``POST /api/v1/applications`` (see ApplicationRequestSchema).
    An ``actor`` that is an official files a paper form on the resident's behalf: only a
    commune officer may, and only in their own commune (Forbidden otherwise, whoever the caller).
    Raises ValidationFailed naming the bad fields, or IdempotencyKeyReused.
    """
    _check_filer(session, request, actor)
    _check_paper_date(request, actor, context)
    fingerprint = request_fingerprint(request)
    try:
        village = _check_place(session, request, context)
        request = _in_units_area(request, village)
        assessment = _assess(request["household"], context)
    except ValidationFailed:
        # A retry of a request accepted earlier gets its first answer, even if the rules have
        # moved on since (the review window closed, a village was retired).
        replay = _replay(session, idempotency_key, fingerprint)
        if replay is None:
            raise
        return replay
    tracking_code = new_tracking_code()
    body = {
        "tracking_code": tracking_code,
        "status": INITIAL_STATUS,
        "kind": request["kind"],
        "period": request["household"]["period"],
        "assessment": assessment,
    }
    rows = SubmissionRows(
        application=_application_row(
            request, village, assessment, tracking_code, context, channel, actor
        ),
        consent=_consent_row(context),
        event=_submit_event(context, actor),
        key=_idempotency_row(idempotency_key, fingerprint, body, context),
    )
    application_id = write_submission(session, rows)
    if application_id is None:
        # The key was stored already: a retry of an accepted request gets its first answer.
        replay = _replay(session, idempotency_key, fingerprint)
        if replay is None:  # ON CONFLICT skips only for a row that is there: cannot happen
            raise RuntimeError("an idempotency key was neither stored nor found")
        return replay
    # A new file has no verification yet: its applicant's words are all there is (one INSERT).
    index_new_applicants(session, [(application_id, request["applicant"]["full_name"])])
    logger.info("application %s submitted via %s", application_id, channel)
    return Submission(201, body, replayed=False)


def _consent_row(context: NodeContext) -> dict[str, Any]:
    """The consent given with a submission: the current text's version, now."""
    return {
        "purpose": consent.PURPOSE,
        "text_version": consent.CURRENT_VERSION,
        "given_at": context.now,
    }


def _in_units_area(request: dict[str, Any], village: Village | None) -> dict[str, Any]:
    """The request with the household's area as the node records its commune and village,
    whatever the resident answered: the area sets the income line (issue 14 §3)."""
    area = area_of(request["commune_code"], village)
    return {**request, "household": with_area(request["household"], area)}


def _check_filer(session: Session, request: dict[str, Any], actor: Actor) -> None:
    """A paper form is filed by a commune officer of the application's commune, nobody else."""
    if actor.user_id is None:
        return
    user = session.get(User, actor.user_id)
    official = official_for_user(user) if user is not None and user.active else None
    if official is None or official.role != COMMUNE_OFFICER:
        raise Forbidden("Only a commune officer files paper applications.")
    if not official.sees_commune(request["commune_code"]):
        raise Forbidden(
            "You file paper applications only for your own commune.",
            {"commune_code": "outside your commune"},
        )


# How long a paper form may wait at the commune before it is entered.
PAPER_MAX_AGE_DAYS = 365


def _check_paper_date(request: dict[str, Any], actor: Actor, context: NodeContext) -> None:
    """The date a paper form bears: only an official filing one gives it; today or before, and
    not more than a year old."""
    dated = request.get("paper_dated_on")
    if dated is None:
        return
    if actor.user_id is None:
        raise ValidationFailed(
            "Only a commune officer filing a paper form gives its date.",
            {"paper_dated_on": "only for a paper form filed by a commune officer"},
        )
    if dated > context.today or (context.today - dated).days > PAPER_MAX_AGE_DAYS:
        raise ValidationFailed(
            "The paper form's date is not plausible.",
            {"paper_dated_on": f"between {PAPER_MAX_AGE_DAYS} days ago and today"},
        )


def _application_row(
    request: dict[str, Any],
    village: Village | None,
    assessment: dict[str, Any],
    tracking_code: str,
    context: NodeContext,
    channel: str,
    actor: Actor,
) -> dict[str, Any]:
    """The applications row of a new submission."""
    household = request["household"]
    return {
        "tracking_code": tracking_code,
        "kind": request["kind"],
        "channel": channel,
        "status": INITIAL_STATUS,
        "period": household["period"],
        "commune_code": request["commune_code"],
        "village_id": village.id if village else None,
        "applicant_name": request["applicant"]["full_name"],
        "applicant_citizen_id": request["applicant"]["citizen_id"],
        "applicant_phone": request["applicant"]["phone"],
        "declared_facts": household,
        "standard_id": assessment["standard_id"],
        "self_assessment": assessment,
        "self_classification": assessment["classification"],
        "submitted_at": context.now,
        "updated_at": context.now,
        "filed_by_id": actor.user_id,
        "paper_dated_on": request.get("paper_dated_on"),
        # The ORM's optimistic-lock counter (Application.version) starts at 1; written here
        # because a column default is not applied inside a WITH clause.
        "version": 1,
    }


def _submit_event(context: NodeContext, actor: Actor) -> dict[str, Any]:
    """The application_events row of a new submission."""
    return {
        "at": context.now,
        "action": "submit",
        "from_status": None,
        "to_status": INITIAL_STATUS,
        "actor_role": actor.role,
        "actor_id": actor.user_id,
    }


def _idempotency_row(
    key: str, fingerprint: str, body: dict[str, Any], context: NodeContext
) -> dict[str, Any]:
    """The idempotency_keys row that replays ``body`` to a retry of the same request."""
    return {
        "scope": IDEMPOTENCY_SCOPE,
        "key": key,
        "request_hash": fingerprint,
        "response_status": 201,
        "response_body": body,
        "created_at": context.now,
    }


def _replay(session: Session, key: str, fingerprint: str) -> Submission | None:
    stored = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.scope == IDEMPOTENCY_SCOPE, IdempotencyKey.key == key
        )
    )
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request.",
            {"Idempotency-Key": "already used for a different request"},
        )
    return Submission(stored.response_status, stored.response_body, replayed=True)


def _check_place(session: Session, request: dict[str, Any], context: NodeContext) -> Village | None:
    """The commune must be in this node's province, and the village (if any) in the commune."""
    code = request["commune_code"]
    if not units.is_commune_code(code) or units.commune(code).province_code != (
        context.province_code
    ):
        raise ValidationFailed(
            "The commune is not in this province.",
            {"commune_code": "not a commune of this province"},
        )
    village_code = request.get("village_code")
    if village_code is None:
        return None
    village = session.scalar(
        select(Village).where(Village.code == village_code, Village.active.is_(True))
    )
    if village is None or village.commune_code != code:
        raise ValidationFailed(
            "The village is not in this commune.", {"village_code": "not a village of the commune"}
        )
    return village


def _assess(household: dict[str, Any], context: NodeContext) -> dict[str, Any]:
    """The self-assessment; the period must be one this node accepts applications for today."""
    fields: dict[str, str] = {}
    period = household.get("period") if isinstance(household, dict) else None
    allowed = accepted_periods(context.today, context.review_window)
    if type(period) is int and period not in allowed:
        listed = " or ".join(str(year) for year in allowed)
        fields["household.period"] = f"applications are accepted for {listed}"
    try:
        assessment = evaluate(household)
    except InvalidFacts as error:
        fields = {f"household.{path}": message for path, message in error.fields.items()} | fields
        raise ValidationFailed("The household facts are not valid.", fields) from None
    if fields:
        raise ValidationFailed("The household facts are not valid.", fields)
    return assessment


def find_application(
    session: Session, tracking_code: str, *, phone: str | None = None, citizen_id: str | None = None
) -> Application:
    """The application with this code, if the phone or ID number given at submission matches.

    A wrong code and a wrong phone get the same NotFound, so nobody can probe which codes exist.
    Nothing is counted here: a request from outside goes through
    node.services.lookups.find_for_applicant, which limits guessing.
    """
    code = normalize_tracking_code(tracking_code)
    application = (
        session.scalar(select(Application).where(Application.tracking_code == code))
        if code
        else None
    )
    if application is None or not (
        (phone and phone == application.applicant_phone)
        or (citizen_id and citizen_id == application.applicant_citizen_id)
    ):
        raise NotFound("No application matches this tracking code and phone or ID number.")
    return application


def status_view(application: Application) -> dict[str, Any]:
    """What the applicant sees of their application: status, self-assessment, history and the
    next deadline."""
    return {
        "tracking_code": application.tracking_code,
        "kind": application.kind,
        "channel": application.channel,
        "status": application.status,
        "outcome": application.outcome,
        "period": application.period,
        "commune_code": application.commune_code,
        "submitted_at": application.submitted_at.isoformat(),
        # The next deadline: the chair's decision, counted from the start of the review.
        "due_on": application.due_on.isoformat() if application.due_on else None,
        "assessment": application.self_assessment,
        "history": [
            {"at": event.at.isoformat(), "action": event.action, "status": event.to_status}
            for event in application.events
        ],
    }


def next_step(session: Session, application: Application) -> dict[str, Any]:
    """What the applicant waits for next, with its dates: while the results are posted, the
    posting's last day; while the file is open, the day the chair must decide by (set when the
    review starts). Closed files have no next step."""
    open_now = application.status in OPEN_STATUSES
    posting_ends_on = None
    if application.status == "posted":
        posting_ends_on = session.scalar(
            select(Posting.ends_on)
            .join(PostingItem, PostingItem.posting_id == Posting.id)
            .where(PostingItem.application_id == application.id)
            .order_by(Posting.id.desc())
            .limit(1)
        )
    return {
        "status": application.status if open_now else None,
        # The key of the next-step texts (a confirmation under review waits for its posting).
        "step": step_key(application.kind, application.status) if open_now else None,
        "posting_ends_on": posting_ends_on,
        "due_on": application.due_on if open_now else None,
    }


def withdraw_application(
    session: Session, application: Application, context: NodeContext, actor: Actor = RESIDENT
) -> Application:
    """Withdraw an application that nobody has started reviewing yet."""
    if application.status != INITIAL_STATUS:
        # Once the commune works on it, the resident asks the commune in writing instead.
        raise Conflict(
            "The review has started; ask the commune to withdraw the application.",
            allowed=[],
        )
    check_transition("withdraw", application.status, "withdrawn")
    application.events.append(
        ApplicationEvent(
            at=context.now,
            action="withdraw",
            from_status=application.status,
            to_status="withdrawn",
            actor_role=actor.role,
            actor_id=actor.user_id,
        )
    )
    application.status = "withdrawn"
    application.updated_at = context.now
    session.flush()
    logger.info("application %s withdrawn", application.id)
    return application


def access_log(session: Session, application: Application) -> list[dict[str, Any]]:
    """Who, by role, opened or changed this application, and when — for the applicant to see.

    Roles only: the household learns that the commune officer read its file, not the officer's
    name, which is the officer's own personal data.
    """
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.application_id == application.id)
        .order_by(AuditEntry.id)
    )
    return [
        {"at": entry.at.isoformat(), "role": entry.role, "action": entry.action}
        for entry in entries
    ]
