"""What the officials' batch forms and printed papers list: the households ready for a village
meeting, a public posting or a decision; the meeting minutes, the posting list, the decision.

Reads only: every step itself is done by node.services.review and node.services.decisions.
Papers that name households are reads of personal data, so they go in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import CONFIRMATION_KINDS, Application
from node.models.review import (
    Certificate,
    Decision,
    Meeting,
    Posting,
    Verification,
)
from node.models.units import Village
from node.models.users import User, UserUnit
from node.services import audit
from node.services.confirmations import recognition_refusal
from node.services.context import NodeContext
from node.services.errors import NotFound
from node.services.places import village_unit
from node.services.scopes import (
    COMMUNE_OFFICER,
    VILLAGE_HEAD,
    Official,
    application_scope,
    require_role,
)
from node.services.steps import READERS, latest_verification, scoped_application
from node.services.workflow import ACTIONS, allowed_actions, load_standings, unmet_guards
from shared import units


@dataclass(frozen=True)
class Candidate:
    """An application a batch form may include, with what the form shows of it."""

    application: Application
    village_code: str | None
    village_name: str | None
    head_name: str
    proposed_classification: str | None
    posting_ends_on: date | None = None
    open_duplicates: int = 0
    # The guards of the decision that do not hold (node.services.workflow.unmet_guards).
    blocked_by: tuple[str, ...] = ()
    # Why the chair may only refuse it (a confirmation its verification does not qualify:
    # node.services.confirmations), as a refusal code; None when it may be recognised.
    not_recognisable: str | None = None


def _villages(session: Session, ids: set[int]) -> dict[int, Village]:
    if not ids:
        return {}
    return {v.id: v for v in session.scalars(select(Village).where(Village.id.in_(sorted(ids))))}


def head_name(application: Application, verification: Verification | None) -> str:
    """The head of household's name as verified, else the applicant's."""
    if verification is not None:
        for member, identity in zip(
            verification.facts["members"], verification.identities, strict=False
        ):
            if member.get("relation") == "head" and identity.get("full_name"):
                return identity["full_name"]
    return application.applicant_name


def _candidates(
    session: Session, official: Official, action: str, village_code: str | None
) -> list[Candidate]:
    """The applications in the official's scope in a status ``action`` starts from."""
    require_role(official, *READERS)
    query = select(Application).where(
        application_scope(official), Application.status.in_(sorted(ACTIONS[action].sources))
    )
    if village_code:
        village_ids = select(Village.id).where(Village.code == village_code).scalar_subquery()
        query = query.where(Application.village_id.in_(village_ids))
    applications = list(session.scalars(query.order_by(Application.id)))
    villages = _villages(session, {a.village_id for a in applications if a.village_id})
    found = []
    for application in applications:
        verification = latest_verification(session, application)
        village = villages.get(application.village_id) if application.village_id else None
        found.append(
            Candidate(
                application=application,
                village_code=village.code if village else None,
                village_name=village.name if village else None,
                head_name=head_name(application, verification),
                proposed_classification=verification.classification if verification else None,
                not_recognisable=_not_recognisable(application, verification),
            )
        )
    return found


def _not_recognisable(application: Application, verification: Verification | None) -> str | None:
    if verification is None:
        return None
    refusal = recognition_refusal(application.kind, verification.assessment, application.id)
    return refusal.code if refusal is not None else None


def _allowed(
    session: Session,
    official: Official,
    action: str,
    village_code: str | None,
    context: NodeContext,
) -> list[Candidate]:
    """The candidates on which the policy lets the official take ``action`` now."""
    found = _candidates(session, official, action, village_code)
    standings = load_standings(session, official, [c.application for c in found], context)
    return [
        c
        for c in found
        if action in allowed_actions(official, c.application, standings[c.application.id])
    ]


def meeting_candidates(
    session: Session, official: Official, context: NodeContext, village_code: str | None = None
) -> list[Candidate]:
    """Verified households under review: what a village meeting votes on."""
    return _allowed(session, official, "record_meeting", village_code, context)


def posting_candidates(
    session: Session, official: Official, context: NodeContext, village_code: str | None = None
) -> list[Candidate]:
    """Households whose village meeting agreed: what the commune posts publicly."""
    return _allowed(session, official, "post", village_code, context)


def decision_candidates(
    session: Session, official: Official, context: NodeContext
) -> list[Candidate]:
    """Posted households, with the posting's end and what the policy says still blocks a
    decision today (node.services.workflow: the posting running, a possible duplicate open,
    the district opinion missing)."""
    found = _candidates(session, official, "decide", None)
    standings = load_standings(session, official, [c.application for c in found], context)
    return [
        replace(
            candidate,
            posting_ends_on=standings[candidate.application.id].posting_ends_on,
            open_duplicates=standings[candidate.application.id].open_duplicates,
            blocked_by=tuple(unmet_guards("decide", standings[candidate.application.id])),
        )
        for candidate in found
    ]


def scope_villages(session: Session, official: Official) -> list[Village]:
    """The active villages an official works in (a province official: none listed here)."""
    if official.level == "province":
        return []
    query = select(Village).where(Village.active.is_(True)).order_by(Village.code)
    if official.level == "village":
        query = query.where(Village.code.in_(sorted(official.unit_codes)))
    else:
        query = query.where(Village.commune_code == official.commune_code)
    return list(session.scalars(query))


def reviewers_for(session: Session, application: Application) -> list[User]:
    """Active officials who may verify the application: its village's heads, the commune's
    officers."""
    village_code = (
        session.scalar(select(Village.code).where(Village.id == application.village_id))
        if application.village_id
        else None
    )
    units_wanted = [application.commune_code] + ([village_code] if village_code else [])
    users = session.scalars(
        select(User)
        .join(UserUnit)
        .where(
            User.active.is_(True),
            User.role.in_((VILLAGE_HEAD, COMMUNE_OFFICER)),
            UserUnit.unit_code.in_(units_wanted),
        )
        .order_by(User.role.desc(), User.username)
    )
    return list(dict.fromkeys(users))


@dataclass(frozen=True)
class PaperRow:
    """One household on a printed paper."""

    application_id: int
    head_name: str
    village_name: str | None
    proposed_classification: str | None
    agreeing: int | None = None
    passed: bool | None = None


@dataclass(frozen=True)
class Paper:
    """A printed paper: its commune, village, dates and households."""

    id: int
    commune_code: str
    commune_name: str
    village_name: str | None
    rows: list[PaperRow]
    details: dict[str, Any]


def _rows_in_scope(
    session: Session, official: Official, application_ids: list[int]
) -> list[tuple[Application, Verification | None]]:
    # Every household must be in the official's scope, or the paper is not theirs to see.
    applications = [scoped_application(session, official, app_id) for app_id in application_ids]
    return [(a, latest_verification(session, a)) for a in applications]


def _paper_row(
    application: Application,
    verification: Verification | None,
    villages: dict[int, Village],
    proposed: str | None,
    **extra: Any,
) -> PaperRow:
    village = villages.get(application.village_id) if application.village_id else None
    return PaperRow(
        application_id=application.id,
        head_name=head_name(application, verification),
        village_name=village.name if village else None,
        proposed_classification=proposed,
        **extra,
    )


def meeting_minutes(
    session: Session, official: Official, meeting_id: int, context: NodeContext
) -> Paper:
    """The minutes of a village meeting (biên bản họp dân): every household it voted on."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not meeting.votes:
        raise NotFound("No such meeting.")
    pairs = _rows_in_scope(session, official, [vote.application_id for vote in meeting.votes])
    villages = _villages(session, {a.village_id for a, _ in pairs if a.village_id})
    village = session.get(Village, meeting.village_id) if meeting.village_id else None
    rows = [
        _paper_row(a, v, villages, vote.proposed_classification,
                   agreeing=vote.agreeing, passed=vote.passed)
        for (a, v), vote in zip(pairs, meeting.votes, strict=True)
    ]  # fmt: skip
    audit.record(session, official, "print_minutes", "meeting", meeting.id, context.now)
    return Paper(
        id=meeting.id,
        commune_code=meeting.commune_code,
        commune_name=units.commune(meeting.commune_code).name,
        village_name=village.name if village else None,
        rows=rows,
        details={
            "held_on": meeting.held_on,
            "attendees": meeting.attendees,
            "chaired_by": meeting.chaired_by,
            "notes": meeting.notes,
        },
    )


def posting_list(
    session: Session, official: Official, posting_id: int, context: NodeContext
) -> Paper:
    """The list posted publicly: only the head's name, the village and the proposed class."""
    posting = session.get(Posting, posting_id)
    if posting is None or not posting.items:
        raise NotFound("No such posting.")
    pairs = _rows_in_scope(session, official, [item.application_id for item in posting.items])
    villages = _villages(session, {a.village_id for a, _ in pairs if a.village_id})
    rows = [
        _paper_row(a, v, villages, item.proposed_classification)
        for (a, v), item in zip(pairs, posting.items, strict=True)
    ]
    audit.record(session, official, "print_posting", "posting", posting.id, context.now)
    return Paper(
        id=posting.id,
        commune_code=posting.commune_code,
        commune_name=units.commune(posting.commune_code).name,
        village_name=None,
        rows=rows,
        details={"starts_on": posting.starts_on, "ends_on": posting.ends_on},
    )


def decision_sheet(
    session: Session, official: Official, decision_id: int, context: NodeContext
) -> Paper:
    """A decision's households: outcome, class, reasons and the certificate issued."""
    decision = session.get(Decision, decision_id)
    if decision is None or not decision.items:
        raise NotFound("No such decision.")
    pairs = _rows_in_scope(session, official, [item.application_id for item in decision.items])
    villages = _villages(session, {a.village_id for a, _ in pairs if a.village_id})
    certificates = {
        c.decision_item_id: c.number
        for c in session.scalars(
            select(Certificate).where(
                Certificate.decision_item_id.in_([item.id for item in decision.items])
            )
        )
    }
    rows = []
    outcomes = {}
    # The kinds whose recognition the decision Mẫu 02 prints (node.services.confirmations).
    confirmations = set()
    for (application, verification), item in zip(pairs, decision.items, strict=True):
        if item.outcome == "recognised" and application.kind in CONFIRMATION_KINDS:
            confirmations.add(application.kind)
        rows.append(_paper_row(application, verification, villages, item.classification))
        outcomes[application.id] = {
            "outcome": item.outcome,
            "reasons": item.reasons,
            "certificate": certificates.get(item.id),
        }
    audit.record(session, official, "read_decision", "decision", decision.id, context.now)
    return Paper(
        id=decision.id,
        commune_code=decision.commune_code,
        commune_name=units.commune(decision.commune_code).name,
        village_name=None,
        rows=rows,
        details={
            "number": decision.number,
            "decided_on": decision.decided_on,
            "outcomes": outcomes,
            "confirmations": [kind for kind in CONFIRMATION_KINDS if kind in confirmations],
        },
    )


def village_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Village id → name, for lists that show where each household lives."""
    return {village_id: v.name for village_id, v in _villages(session, ids).items()}


def village_of(session: Session, application: Application) -> dict[str, Any] | None:
    """The application's village as a unit (code, name, area), or None."""
    return village_unit(session, application.village_id)


def household_application_id(session: Session, household_id: int) -> int | None:
    """The latest application of a known household: where its record can be opened."""
    return session.scalar(
        select(Application.id)
        .where(Application.household_id == household_id)
        .order_by(Application.id.desc())
        .limit(1)
    )
