"""Deadlines in working days (RULES §5): weekends and the node's holidays do not count.

Regular reviews start on the 15th of the month and the chair decides within 15 days (working
days by default, calendar days where a province configures so); a public posting lasts a
configured number of working days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.review import Holiday

SATURDAY = 5


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: Monday to Friday, except the listed holidays."""

    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """Whether officials work on ``day``."""
        return day.weekday() < SATURDAY and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            self.is_working_day(start + timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )


def load_calendar(session: Session) -> WorkingCalendar:
    """The node's calendar with the holidays the province admin entered."""
    return WorkingCalendar(frozenset(session.scalars(select(Holiday.day))))


def add_holidays(session: Session, days: Iterable[tuple[date, str]]) -> None:
    """Record days off (Tết, national holidays); a day already listed is left as it is."""
    known = set(session.scalars(select(Holiday.day)))
    for day, name in days:
        if day not in known:
            session.add(Holiday(day=day, name=name))
            known.add(day)
    session.flush()


def due_date(
    calendar: WorkingCalendar, start: date, days: int, *, working_days: bool = True
) -> date:
    """The deadline ``days`` (working or calendar) days after ``start``."""
    if working_days:
        return calendar.add_working_days(start, days)
    return start + timedelta(days=days)
