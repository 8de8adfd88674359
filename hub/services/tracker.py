"""The national submission tracker (DESIGN §6, issue 16): for a period, which provinces have
closed it (their decision, date and revision), which are provisional, which have sent nothing,
and which are late against the due date a central admin sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models.nodes import Node
from hub.models.snapshots import PeriodDueDate, Snapshot
from hub.services.accounts import CentralUser
from hub.services.errors import Forbidden, ValidationFailed
from hub.services.stats import figures_of
from shared import units

CLOSED, CHANGED, PROVISIONAL, NOTHING = "closed", "changed", "provisional", "nothing"


@dataclass(frozen=True)
class TrackerRow:
    """One province's state for the period."""

    code: str
    name: str
    registered: bool
    state: str  # closed · changed (closed, figures changed since) · provisional · nothing
    decision_number: str | None
    decided_on: date | None
    revision: int | None
    late: bool


def due_date(session: Session, period: int) -> date | None:
    """The date the provinces are due to close the period by, if a central admin set one."""
    row = session.get(PeriodDueDate, period)
    return row.due_on if row else None


def set_due_date(
    session: Session, user: CentralUser | None, *, period: int, due_on: date, now: datetime
) -> PeriodDueDate:
    """Set (or move) the period's due date; central admins only (``user`` None: the operator at
    the command line). Raises ValidationFailed for a period outside 2000–2100 or a date outside
    the period's year and the next."""
    if user is not None and user.role != "central_admin":
        raise Forbidden("Only a central admin sets the due date.")
    errors = {}
    if type(period) is not int or not 2000 <= period <= 2100:
        errors["period"] = "A year from 2000 to 2100."
    if not isinstance(due_on, date) or (
        "period" not in errors and not period <= due_on.year <= period + 1
    ):
        errors["due_on"] = "A date in the period's year or the next."
    if errors:
        raise ValidationFailed("The due date cannot be set.", errors)
    row = session.get(PeriodDueDate, period) or PeriodDueDate(period=period)
    row.due_on, row.set_at, row.set_by = due_on, now, user.user_id if user else None
    session.add(row)
    session.flush()
    return row


def tracker(session: Session, period: int, today: date) -> list[TrackerRow]:
    """Every one of the 34 provinces, by code, with its state for the period."""
    current = figures_of(session, period)
    official = figures_of(session, period, official=True)
    registered = set(session.scalars(select(Node.province_code)))
    due = due_date(session, period)
    rows = []
    for province in units.provinces():
        closed = official.get(province.code)
        now = current.get(province.code)
        if closed is not None:
            state = CLOSED if now is None or now.official else CHANGED
        else:
            state = PROVISIONAL if now is not None else NOTHING
        late = due is not None and (
            (closed is None and today > due)
            or (closed is not None and closed.decided_on is not None and closed.decided_on > due)
        )
        rows.append(
            TrackerRow(
                code=province.code,
                name=province.name,
                registered=province.code in registered,
                state=state,
                decision_number=closed.decision_number if closed else None,
                decided_on=closed.decided_on if closed else None,
                revision=closed.official_revision if closed else None,
                late=late,
            )
        )
    return rows


def has_snapshots(session: Session, period: int) -> bool:
    """Whether any province sent figures for the period."""
    return session.scalar(select(Snapshot.id).where(Snapshot.period == period).limit(1)) is not None
