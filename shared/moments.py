"""Moments read back from either database: SQLite returns naive datetimes (UTC, as they were
stored), PostgreSQL aware ones. Both apps compare and hash them, so one spelling each; and the
one way people are shown them, in Vietnam's time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def as_utc(moment: datetime) -> datetime:
    """The moment as an aware UTC datetime."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_naive(moment: datetime) -> datetime:
    """The moment as a naive UTC datetime (what SQLite stores)."""
    return as_utc(moment).replace(tzinfo=None)


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_text(moment: datetime | date | None) -> str:
    """A moment as people in Vietnam read it, in Vietnam's time: 05/12/2026 00:42 (a date alone:
    05/12/2026). One format for every page and export."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return as_utc(moment).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    return moment.strftime("%d/%m/%Y")
