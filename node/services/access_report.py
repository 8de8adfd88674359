"""Whose records were read or exported, by whom and when, from the audit log (issue 18, breach
response): `giamngheo node access-report --since … --until … [--user NAME]`.

Each audit entry in the window that touched personal data becomes one access: when, the
account (user name and role), what it did, and the records — the application (tracking code,
applicant) or household (head) it names, or, for a paper or export that covers many (the R5
list, a posting, meeting minutes, a decision sheet, a decision Mẫu 02), every application or
household on it; for a named list (the average-livelihood households, the low-income workers)
every household it listed.
A page of the officials' list records only its filters and size, not its rows: the report says
so rather than guess. The people concerned are then listed once each, for the notices to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from node.models.applications import Application
from node.models.audit import AuditEntry
from node.models.households import Household, HouseholdStatus
from node.models.review import DecisionItem, MeetingVote, PostingItem
from node.models.users import User
from node.services import confirmations
from node.services.aggregates import ON_THE_LISTS

# Entries about one application or household, and the papers or exports covering many.
COVERING = {
    "print_posting": (PostingItem.posting_id, PostingItem.application_id),
    "print_minutes": (MeetingVote.meeting_id, MeetingVote.application_id),
    "read_decision": (DecisionItem.decision_id, DecisionItem.application_id),
}
# Reads and exports whose rows the audit entry does not name.
UNNAMED = ("list_applications", "list_data_requests", "export_audit_log")
# The named lists of a unit and period, like R5: every household they list (for the low-income
# workers' list, the households of the workers on it).
LISTED = {
    "report_r5": (HouseholdStatus.classification.in_(ON_THE_LISTS),),
    "list_average_livelihood": (
        HouseholdStatus.classification == "average",
        HouseholdStatus.average_livelihood,
    ),
    "list_low_income_workers": (HouseholdStatus.low_income_workers > 0,),
}


@dataclass(frozen=True)
class Person:
    """Someone whose record was touched: the file's applicant, or a household's head."""

    record: str  # "application K7QM4XTPR9" or "household 12"
    name: str
    citizen_id: str


@dataclass
class Access:
    """One read or export: when, by which account, what, and whose records."""

    at: datetime
    username: str
    role: str
    action: str
    people: list[Person] = field(default_factory=list)
    note: str | None = None


def access_report(
    session: Session, since: datetime, until: datetime, username: str | None = None
) -> list[Access]:
    """The accesses to personal data from ``since`` (included) to ``until`` (excluded)."""
    query = select(AuditEntry, User.username).outerjoin(User, User.id == AuditEntry.user_id)
    query = query.where(AuditEntry.at >= since, AuditEntry.at < until)
    if username is not None:
        query = query.where(User.username == username.strip().lower())
    found = []
    for entry, name in session.execute(query.order_by(AuditEntry.id)):
        people, note = _touched(session, entry)
        if people or note:
            found.append(Access(entry.at, name or "-", entry.role, entry.action, people, note))
    return found


def people_concerned(accesses: list[Access]) -> list[Person]:
    """Everyone whose record was touched, once each, in the order first touched."""
    seen: dict[str, Person] = {}
    for access in accesses:
        for person in access.people:
            seen.setdefault(person.record, person)
    return list(seen.values())


def _touched(session: Session, entry: AuditEntry) -> tuple[list[Person], str | None]:
    if entry.action in COVERING:
        key, application = COVERING[entry.action]
        ids = session.scalars(select(application).where(key == entry.object_id))
        return [_applicant(session, i) for i in ids], None
    if entry.action == confirmations.PRINT_ACTION:
        kind = (entry.details or {}).get("kind", "")
        ids = confirmations.printed_applications(session, entry.object_id, kind)
        return [_applicant(session, i) for i in ids], None
    if entry.action in LISTED:
        return list(_listed_households(session, entry.details or {}, LISTED[entry.action])), None
    if entry.action in UNNAMED:
        return [], f"a list: {_details_text(entry.details)} (its rows are not recorded)"
    if entry.application_id is not None:
        return [_applicant(session, entry.application_id)], None
    if entry.household_id is not None:
        return [_household(session, entry.household_id)], None
    return [], None


def _applicant(session: Session, application_id: int) -> Person:
    application = session.get(Application, application_id)
    if application is None:
        return Person(f"application #{application_id}", "-", "-")
    return Person(
        f"application {application.tracking_code}",
        application.applicant_name or "(anonymised)",
        application.applicant_citizen_id or "-",
    )


def _household(session: Session, household_id: int) -> Person:
    household = session.get(Household, household_id)
    if household is None:
        return Person(f"household #{household_id}", "-", "-")
    return Person(f"household {household.id}", household.head_name, household.head_citizen_id)


def _listed_households(
    session: Session, details: dict[str, Any], conditions: tuple[ColumnElement[bool], ...]
) -> Iterator[Person]:
    """The households a list of that unit and period held (a province's unit lists them all)."""
    unit, period = str(details.get("unit") or ""), details.get("period")
    query = select(HouseholdStatus.household_id).where(
        HouseholdStatus.period == period, *conditions
    )
    if len(unit) == 5:
        query = query.where(HouseholdStatus.commune_code == unit)
    for household_id in session.scalars(query.order_by(HouseholdStatus.household_id)):
        yield _household(session, household_id)


def _details_text(details: dict[str, Any] | None) -> str:
    if not details:
        return "no details kept"
    return ", ".join(
        f"{key}={value}" for key, value in sorted(details.items()) if value is not None
    )
