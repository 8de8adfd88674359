"""The province admin's changes to the working-day calendar: Vietnam's public holidays come
from the `holidays` package; the admin adds a day off, makes a day a working day (the
government's yearly swaps), or undoes either. Each checks the role, writes the audit log and
flushes; the caller commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from node.models.review import Holiday
from node.services import audit
from node.services.calendar import (
    ADDED_BY_ADMIN,
    REMOVED_BY_ADMIN,
    CalendarDay,
    public_holidays,
    year_days,
)
from node.services.context import NodeContext
from node.services.errors import NotFound, ValidationFailed
from node.services.identity import normalize_text
from node.services.scopes import PROVINCE_ADMIN, Official, require_role

HOLIDAY_NAME_MAX = Holiday.name.property.columns[0].type.length
SATURDAY = 5


def holidays(session: Session, official: Official, year: int) -> list[CalendarDay]:
    """The year's public holidays and the admin's changes, by date."""
    require_role(official, PROVINCE_ADMIN)
    return year_days(session, year)


def add_holiday(
    session: Session, official: Official, context: NodeContext, day: date, name: str
) -> None:
    """A day off beyond the public holidays (a day swapped by the government's notice)."""
    _change(session, official, context, day, name, ADDED_BY_ADMIN)


def add_working_day(
    session: Session, official: Official, context: NodeContext, day: date, name: str
) -> None:
    """A weekend day worked in exchange for a day off (làm bù)."""
    if day.weekday() < SATURDAY:
        raise ValidationFailed("Only a Saturday or Sunday can be made a working day.",
                               {"day": "not_weekend"})  # fmt: skip
    _change(session, official, context, day, name, REMOVED_BY_ADMIN)


def remove_holiday(session: Session, official: Official, context: NodeContext, day: date) -> None:
    """Undo the admin's change of ``day``, or make a public holiday a working day (the
    government moved it)."""
    require_role(official, PROVINCE_ADMIN)
    change = session.get(Holiday, day)
    if change is not None:
        session.delete(change)
        session.flush()
        _audit(session, official, context, "undo_calendar_change", day)
        return
    name = public_holidays(day.year).get(day)
    if name is None:
        raise NotFound("No such day off.")
    session.add(Holiday(day=day, name=name[:HOLIDAY_NAME_MAX], change=REMOVED_BY_ADMIN))
    session.flush()
    _audit(session, official, context, "remove_holiday", day)


def _change(
    session: Session, official: Official, context: NodeContext, day: date, name: str, change: str
) -> None:
    """Record one change of the calendar, refused where the day already has one or is
    already what the change would make it."""
    require_role(official, PROVINCE_ADMIN)
    name = normalize_text(name or "")
    if not name or len(name) > HOLIDAY_NAME_MAX:
        raise ValidationFailed("The day needs a short name.", {"name": "required"})
    if session.get(Holiday, day) is not None or (
        change == ADDED_BY_ADMIN and day in public_holidays(day.year)
    ):
        raise ValidationFailed("This day is already a day off or changed.", {"day": "duplicate"})
    session.add(Holiday(day=day, name=name, change=change))
    session.flush()
    _audit(
        session,
        official,
        context,
        f"add_{'holiday' if change == ADDED_BY_ADMIN else 'working_day'}",
        day,
    )


def _audit(
    session: Session, official: Official, context: NodeContext, action: str, day: date
) -> None:
    audit.record(session, official, action, "holiday", None, context.now,
                 details={"day": day.isoformat()})  # fmt: skip
