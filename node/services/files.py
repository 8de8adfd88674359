"""An application's file as officials see it: one dict for the JSON API and the HTML pages alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationEvent
from node.models.households import Household
from node.models.review import (
    Certificate,
    Complaint,
    DecisionItem,
    DuplicateFlag,
    MeetingVote,
    Posting,
    PostingItem,
    Verification,
)
from node.models.units import Village
from node.services.context import NodeContext
from node.services.review import compare_assessments
from node.services.scopes import Official
from node.services.steps import latest_verification
from node.services.workflow import OPEN_STATUSES, actions_for


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def village_code_of(session: Session, application: Application) -> str | None:
    """The code of the application's village, if it named one."""
    if application.village_id is None:
        return None
    return session.scalar(select(Village.code).where(Village.id == application.village_id))


def village_codes(session: Session, applications: list[Application]) -> dict[int, str]:
    """The village codes of a page of applications, in one query (not one per row)."""
    ids = {a.village_id for a in applications if a.village_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Village.id, Village.code).where(Village.id.in_(ids))).all())


def application_summary(
    application: Application, today: date, village_code: str | None = None
) -> dict[str, Any]:
    """The row an official sees in a list (names included: the list is within their scope)."""
    return {
        "id": application.id,
        "tracking_code": application.tracking_code,
        "kind": application.kind,
        "channel": application.channel,
        "status": application.status,
        "outcome": application.outcome,
        "period": application.period,
        "commune_code": application.commune_code,
        "village_code": village_code,
        "applicant_name": application.applicant_name,
        "self_classification": application.self_classification,
        "submitted_at": application.submitted_at.isoformat(),
        "due_on": _iso(application.due_on),
        "overdue": application.status in OPEN_STATUSES
        and bool(application.due_on and application.due_on < today),
        "version": application.version,
    }


def application_file(
    session: Session, official: Official, application: Application, context: NodeContext
) -> dict[str, Any]:
    """Everything about one application, for the official who opened it, with the actions the
    policy lets them take now."""
    verification = latest_verification(session, application)
    household = (
        session.get(Household, application.household_id) if application.household_id else None
    )
    return {
        **application_summary(application, context.today, village_code_of(session, application)),
        "applicant": {
            "full_name": application.applicant_name,
            "citizen_id": application.applicant_citizen_id,
            "phone": application.applicant_phone,
        },
        "filed_by_id": application.filed_by_id,
        "assigned_to_id": application.assigned_to_id,
        "household_id": application.household_id,
        "declared_facts": application.declared_facts,
        "self_assessment": application.self_assessment,
        "verification": _verification(verification),
        "comparison": compare_assessments(
            application.self_assessment, verification.assessment if verification else None
        ),
        **_review_steps(session, application),
        "duplicates": _duplicates(session, application),
        **_decision(session, application),
        "household": (
            {"id": household.id, "head_name": household.head_name} if household else None
        ),
        "history": [_event(event) for event in application.events],
        "allowed_actions": actions_for(session, official, application, context),
    }


def _verification(verification: Verification | None) -> dict[str, Any] | None:
    if verification is None:
        return None
    return {
        "verified_at": verification.verified_at.isoformat(),
        "verified_by": verification.verified_by,
        "facts": verification.facts,
        "identities": verification.identities,
        "address": verification.head_address,
        "assessment": verification.assessment,
    }


def _review_steps(session: Session, application: Application) -> dict[str, list[dict[str, Any]]]:
    """The village meetings that voted on the application, its postings and complaints."""
    votes = session.scalars(
        select(MeetingVote)
        .where(MeetingVote.application_id == application.id)
        .order_by(MeetingVote.id)
    )
    postings = session.scalars(
        select(Posting)
        .join(PostingItem)
        .where(PostingItem.application_id == application.id)
        .order_by(Posting.id)
    )
    complaints = session.scalars(
        select(Complaint).where(Complaint.application_id == application.id).order_by(Complaint.id)
    )
    return {
        "meetings": [
            {
                "meeting_id": vote.meeting_id,
                "held_on": _iso(vote.meeting.held_on),
                "attendees": vote.meeting.attendees,
                "agreeing": vote.agreeing,
                "passed": vote.passed,
            }
            for vote in votes
        ],
        "postings": [
            {"posting_id": p.id, "starts_on": _iso(p.starts_on), "ends_on": _iso(p.ends_on)}
            for p in postings
        ],
        "complaints": [
            {"received_on": _iso(c.received_on), "content": c.content, "complainant": c.complainant}
            for c in complaints
        ],
    }


def _duplicates(session: Session, application: Application) -> list[dict[str, Any]]:
    flags = session.scalars(
        select(DuplicateFlag)
        .where(DuplicateFlag.application_id == application.id)
        .order_by(DuplicateFlag.id)
    )
    return [
        {
            "id": flag.id,
            "citizen_id": flag.citizen_id,
            "other_application_id": flag.other_application_id,
            "other_household_id": flag.other_household_id,
            "resolution": flag.resolution,
        }
        for flag in flags
    ]


def _decision(session: Session, application: Application) -> dict[str, dict[str, Any] | None]:
    """The chair's decision on the application and the certificate it issued, if any."""
    item = session.scalar(select(DecisionItem).where(DecisionItem.application_id == application.id))
    if item is None:
        return {"decision": None, "certificate": None}
    certificate = session.scalar(select(Certificate).where(Certificate.decision_item_id == item.id))
    return {
        "decision": {
            "number": item.decision.number,
            "decided_on": _iso(item.decision.decided_on),
            "outcome": item.outcome,
            "classification": item.classification,
            "reasons": item.reasons,
        },
        "certificate": (
            {
                "number": certificate.number,
                "issued_on": _iso(certificate.issued_on),
                "verification_code": certificate.verification_code,
            }
            if certificate
            else None
        ),
    }


def _event(event: ApplicationEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "action": event.action,
        "from_status": event.from_status,
        "status": event.to_status,
        "actor_role": event.actor_role,
        "actor_id": event.actor_id,
        "note": event.note,
    }
