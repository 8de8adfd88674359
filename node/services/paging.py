"""Pages by key and counts with a ceiling, so a list costs the same on its hundredth page and in
the biggest province as on its first page in a small one.

A page after another is asked for by the position (the key) of the last row shown — an opaque
``after`` token — and read as an index walk from there, never by skipping rows with OFFSET.
Counts stop at ``COUNT_CAP``: past it a list says "more than 10,000", which is all an official
can use, instead of counting a province's rows for each page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session, load_only
from sqlalchemy.orm.strategy_options import _AbstractLoad

from node.models.applications import Application
from node.services.errors import ValidationFailed

COUNT_CAP = 10_000
# Ids are 32-bit; times are microseconds since 1970 (a date as YYYYMMDD, or 0 for none).
_LIST_KEY = re.compile(r"(\d{1,17})-(\d{1,10})", re.ASCII)
_DEADLINE_KEY = re.compile(r"(\d{8}|0)-(\d{1,10})", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Count:
    """How many rows match, exactly up to the cap; ``exact`` False: more than ``value``."""

    value: int
    exact: bool


def capped_count(session: Session, query: Select[Any], cap: int | None = None) -> Count:
    """Count the rows of ``query`` (a SELECT with its WHERE), reading at most ``cap`` + 1
    (default ``COUNT_CAP``)."""
    return capped_counts(session, {"": query}, cap)[""]


def capped_counts(
    session: Session, queries: dict[str, Select[Any]], cap: int | None = None
) -> dict[str, Count]:
    """Several capped counts in one statement, one scalar subquery each."""
    cap = COUNT_CAP if cap is None else cap
    columns = [
        select(func.count())
        .select_from(query.with_only_columns(literal(1)).order_by(None).limit(cap + 1).subquery())
        .scalar_subquery()
        for query in queries.values()
    ]
    found = session.execute(select(*columns)).one()
    return {name: Count(min(n, cap), n <= cap) for name, n in zip(queries, found, strict=True)}


def _refused(field: str) -> ValidationFailed:
    return ValidationFailed("Not a position in this list.", {field: "not a position in this list"})


def list_key(submitted_at: datetime, row_id: int) -> str:
    """The ``after`` token of a row of a newest-first list."""
    if submitted_at.tzinfo is None:  # SQLite gives back UTC without its offset
        submitted_at = submitted_at.replace(tzinfo=UTC)
    return f"{(submitted_at - _EPOCH) // timedelta(microseconds=1)}-{row_id}"


def parse_list_key(token: str, field: str = "after") -> tuple[datetime, int]:
    """(submitted_at, id) of a ``list_key`` token; ValidationFailed naming ``field`` otherwise."""
    match = _LIST_KEY.fullmatch(token)
    if match is None or int(match.group(2)) > _MAX_ID:
        raise _refused(field)
    moment = _EPOCH + timedelta(microseconds=int(match.group(1)))
    return moment, int(match.group(2))


def deadline_key(due_on: date | None, row_id: int) -> str:
    """The ``after`` token of a worklist row (deadline first, none last)."""
    return f"{due_on.strftime('%Y%m%d') if due_on else 0}-{row_id}"


def parse_deadline_key(token: str, field: str = "after") -> tuple[date | None, int]:
    """(due_on or None, id) of a ``deadline_key`` token; ValidationFailed otherwise."""
    match = _DEADLINE_KEY.fullmatch(token)
    if match is None or int(match.group(2)) > _MAX_ID:
        raise _refused(field)
    if match.group(1) == "0":
        return None, int(match.group(2))
    try:
        due = datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        raise _refused(field) from None
    return due, int(match.group(2))


# What a row of a list shows (node.services.files.application_summary, the pages): never the
# JSON columns.
SUMMARY_COLUMNS = (
    Application.id,
    Application.tracking_code,
    Application.kind,
    Application.channel,
    Application.status,
    Application.outcome,
    Application.period,
    Application.commune_code,
    Application.village_id,
    Application.applicant_name,
    Application.self_classification,
    Application.submitted_at,
    Application.due_on,
    Application.version,
)


def summary_columns() -> _AbstractLoad:
    """The loader option that reads only SUMMARY_COLUMNS of the listed applications."""
    return load_only(*SUMMARY_COLUMNS)
