"""Deadlines in working days (RULES §5): weekends and days off do not count.

Days off are Vietnam's public holidays as the `holidays` package knows them (Tết and the Hùng
Kings' day follow the lunar calendar, so nobody has to type them in each year), changed by the
province admin: a day off added (the government's yearly swaps, a local day), or a day made a
working day (a holiday moved by the government's notice, a Saturday worked in exchange).

Regular reviews start on the 15th of the month and the chair decides within 15 days (working
days by default, calendar days where a province configures so); a public posting lasts a
configured number of working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays as holiday_calendars
from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.review import Holiday

SATURDAY = 5

# Where a day off comes from, as `giamngheo node holidays` and the admin page name it.
FROM_PACKAGE = "package"
ADDED_BY_ADMIN = "added"
REMOVED_BY_ADMIN = "removed"


@dataclass(frozen=True)
class PublicCalendar:
    """A year of Vietnam's public calendar as the `holidays` package knows it."""

    # Public holidays with their Vietnamese names, the package's observed and swapped days off
    # included (e.g. "Ngày nghỉ (thay cho ngày 22/08/2026)").
    days_off: Mapping[date, str]
    # Weekend days the government's notice made working days in exchange.
    worked: frozenset[date]


@lru_cache(maxsize=32)
def public_calendar(year: int) -> PublicCalendar:
    """Vietnam's public calendar of ``year``, computed once per year and process."""
    days = holiday_calendars.country_holidays("VN", years=year, language="vi")
    return PublicCalendar(
        days_off=MappingProxyType(dict(sorted(days.items()))),
        worked=frozenset(day for day in days.weekend_workdays if day.year == year),
    )


def public_holidays(year: int) -> Mapping[date, str]:
    """Vietnam's public holidays of ``year`` with their Vietnamese names."""
    return public_calendar(year).days_off


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: Monday to Friday, except days off; a weekend day worked in
    exchange (by the government's notice or the admin's entry) is a working day."""

    # Days off beyond weekends (the admin's additions; in tests, any).
    holidays: frozenset[date] = field(default_factory=frozenset)
    # Days the admin made working days (a public holiday moved, a Saturday worked in exchange).
    worked: frozenset[date] = field(default_factory=frozenset)
    # Whether Vietnam's public calendar counts (always on the node; unit tests of the
    # arithmetic leave it out).
    public_holidays: bool = False

    def is_working_day(self, day: date) -> bool:
        """Whether officials work on ``day``: the admin's changes first, then the public
        calendar, then the weekday."""
        if day in self.worked:
            return True
        if day in self.holidays:
            return False
        weekday = day.weekday() < SATURDAY
        if not self.public_holidays:
            return weekday
        public = public_calendar(day.year)
        return day not in public.days_off if weekday else day in public.worked

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
    """The node's calendar: Vietnam's public holidays with the province admin's changes."""
    rows = session.execute(select(Holiday.day, Holiday.change)).all()
    return WorkingCalendar(
        holidays=frozenset(day for day, change in rows if change == ADDED_BY_ADMIN),
        worked=frozenset(day for day, change in rows if change == REMOVED_BY_ADMIN),
        public_holidays=True,
    )


def add_holidays(session: Session, days: Iterable[tuple[date, str]]) -> None:
    """Record days off the admin adds; a day already changed is left as it is."""
    known = set(session.scalars(select(Holiday.day)))
    for day, name in days:
        if day not in known:
            session.add(Holiday(day=day, name=name, change=ADDED_BY_ADMIN))
            known.add(day)
    session.flush()


@dataclass(frozen=True)
class CalendarDay:
    """A day of the year's calendar that differs from Monday-to-Friday: a day off (from the
    package or added by the admin) or a day the admin made a working day."""

    day: date
    name: str
    source: str

    @property
    def is_day_off(self) -> bool:
        """Whether officials rest that day (an admin's removal makes it a working day)."""
        return self.source != REMOVED_BY_ADMIN


def year_days(session: Session, year: int) -> list[CalendarDay]:
    """The year's public holidays and the admin's changes, by date: a package day the admin
    removed appears once, as removed."""
    changes = {
        row.day: row
        for row in session.scalars(
            select(Holiday).where(
                Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31)
            )
        )
    }
    days = [
        CalendarDay(day, name, FROM_PACKAGE)
        for day, name in public_holidays(year).items()
        if day not in changes
    ]
    days += [CalendarDay(row.day, row.name, row.change) for row in changes.values()]
    return sorted(days, key=lambda entry: entry.day)


def due_date(
    calendar: WorkingCalendar, start: date, days: int, *, working_days: bool = True
) -> date:
    """The deadline ``days`` (working or calendar) days after ``start``."""
    if working_days:
        return calendar.add_working_days(start, days)
    return start + timedelta(days=days)
