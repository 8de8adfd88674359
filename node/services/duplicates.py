"""Duplicates: the same citizen ID in two open applications or households (loại bỏ trùng lắp).

Found when a household is verified (every member's ID) and flagged to the officer with a link to
the other record; the officer resolves each flag — merge, withdraw or confirm distinct — and a
household with open flags cannot be decided.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, literal, select, union_all
from sqlalchemy.orm import Session

from node.models.applications import Application, is_open
from node.models.households import Household, Member
from node.models.review import DuplicateFlag, Verification, VerificationIdentity
from node.services import audit
from node.services.context import NodeContext
from node.services.errors import Conflict, ValidationFailed
from node.services.identity import normalize_text
from node.services.scopes import Official
from node.services.steps import withdraw_by_official
from node.services.workflow import actions_for, authorize

RESOLUTIONS = ("merged", "withdrawn", "distinct")


def flag_duplicates(
    session: Session,
    application: Application,
    identities: list[dict[str, Any]],
    head_citizen_id: str | None,
    context: NodeContext,
) -> list[DuplicateFlag]:
    """Flag every other open application or known household sharing a member's citizen ID.

    A known household of the commune headed by the same person is this household itself (an
    exit request, a re-review, a near-poor household applying again): the application is linked
    to it rather than flagged.
    """
    ids = {identity["citizen_id"] for identity in identities if identity.get("citizen_id")}
    ids.add(application.applicant_citizen_id)
    if application.household_id is None and head_citizen_id:
        application.household_id = session.scalar(
            select(Household.id).where(
                Household.head_citizen_id == head_citizen_id,
                Household.commune_code == application.commune_code,
            )
        )
    flags = []
    already = {
        (flag.citizen_id, flag.other_application_id, flag.other_household_id)
        for flag in session.scalars(
            select(DuplicateFlag).where(DuplicateFlag.application_id == application.id)
        )
    }
    for other_id, citizen_id in _other_applications(session, application, ids):
        key = (citizen_id, other_id, None)
        if key not in already:
            flags.append(_flag(application, citizen_id, context, other_application_id=other_id))
            already.add(key)
    for household_id, citizen_id in _households(session, application, ids):
        key = (citizen_id, None, household_id)
        if key not in already:
            flags.append(_flag(application, citizen_id, context, other_household_id=household_id))
            already.add(key)
    session.add_all(flags)
    session.flush()
    return flags


def _flag(
    application: Application, citizen_id: str, context: NodeContext, **other: int
) -> DuplicateFlag:
    return DuplicateFlag(
        application_id=application.id, citizen_id=citizen_id, found_at=context.now, **other
    )


def record_identities(session: Session, verification: Verification) -> None:
    """The citizen IDs the verification recorded, one row per member that has one, so other
    verifications find them by index (``_other_applications``)."""
    session.add_all(
        VerificationIdentity(
            verification_id=verification.id,
            application_id=verification.application_id,
            position=position,
            citizen_id=identity["citizen_id"],
        )
        for position, identity in enumerate(verification.identities)
        if identity.get("citizen_id")
    )
    session.flush()


def _other_applications(
    session: Session, application: Application, ids: set[str]
) -> list[tuple[int, str]]:
    """Open applications (other than this one) whose applicant or verified members share an ID.

    One statement, two index lookups by ID number: the applicants' and the verified members'
    (verification_identities), each joined to its open application — the same few rows
    whether the province has a thousand open files or a million.
    """
    wanted = sorted(ids)
    other_open = and_(Application.id != application.id, is_open())
    applicants = select(
        literal(0).label("kind"),
        Application.id.label("other_id"),
        Application.applicant_citizen_id.label("citizen_id"),
    ).where(other_open, Application.applicant_citizen_id.in_(wanted))
    identity = VerificationIdentity
    members = (
        select(literal(1).label("kind"), identity.application_id, identity.citizen_id)
        .join(Application, Application.id == identity.application_id)
        .where(other_open, identity.citizen_id.in_(wanted))
    )
    found: dict[int, str] = {}
    # Applicants first, so an application whose applicant matches is flagged with that ID.
    both = union_all(applicants, members).order_by("kind", "other_id", "citizen_id")
    rows = session.execute(both)
    for _kind, other_id, citizen_id in rows:
        found.setdefault(other_id, citizen_id)
    return sorted(found.items())


def _households(session: Session, application: Application, ids: set[str]) -> list[tuple[int, str]]:
    """Known households (other than the application's own) with a head or member of those IDs."""
    wanted = sorted(ids)
    # Two lookups, each through its citizen-ID index: one query with an OR across the members'
    # outer join reads every household and every member of the province.
    heads = session.execute(
        select(Household.id, Household.head_citizen_id).where(Household.head_citizen_id.in_(wanted))
    ).all()
    members = session.execute(
        select(Member.household_id, Member.citizen_id).where(Member.citizen_id.in_(wanted))
    ).all()
    found: dict[int, str] = {}
    # Heads first, so a household whose head matches is flagged with the head's ID.
    for household_id, citizen_id in [*heads, *members]:
        if household_id != application.household_id:
            found.setdefault(household_id, citizen_id)
    return sorted(found.items())


def resolve_duplicate(
    session: Session,
    official: Official,
    flag: DuplicateFlag,
    resolution: str,
    context: NodeContext,
    note: str | None = None,
    *,
    version: int | None = None,
) -> DuplicateFlag:
    """Record how the officer settled a flag; ``withdrawn`` also withdraws this application."""
    application = session.get(Application, flag.application_id)
    authorize(session, official, application, "resolve_duplicate", context, version=version)
    if resolution not in RESOLUTIONS:
        raise ValidationFailed("Unknown resolution.", {"resolution": " or ".join(RESOLUTIONS)})
    if flag.resolution is not None:
        raise Conflict(
            "This possible duplicate was already resolved.",
            allowed=actions_for(session, official, application, context),
        )
    if resolution == "merged" and flag.other_household_id is not None:
        application.household_id = flag.other_household_id
    if resolution == "withdrawn":
        withdraw_by_official(session, official, application, context, note=note)
    flag.resolution = resolution
    flag.resolved_by = official.user_id
    flag.resolved_at = context.now
    flag.note = normalize_text(note) if note else None
    audit.record(
        session,
        official,
        "resolve_duplicate",
        "duplicate_flag",
        flag.id,
        context.now,
        application_id=flag.application_id,
        details={"resolution": resolution},
    )
    session.flush()
    return flag
