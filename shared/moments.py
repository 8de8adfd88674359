"""Moments read back from either database: SQLite returns naive datetimes (UTC, as they were
stored), PostgreSQL aware ones. Both apps compare and hash them, so one spelling each."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The moment as an aware UTC datetime."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_naive(moment: datetime) -> datetime:
    """The moment as a naive UTC datetime (what SQLite stores)."""
    return as_utc(moment).replace(tzinfo=None)
