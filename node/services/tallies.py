"""Keeping the tallies (node.models.tallies) equal to the statuses they sum.

Every writer of statuses adds what it wrote: the chair's decision one status at a time (taking
away the household's earlier status for the period first), the import a whole list at once.
The counts are added in the database (an upsert per key), so two decisions in one commune at the
same time both count. ``recount`` builds a period's tallies again from the statuses (repairs,
tests).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, and_, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from node.models.households import HouseholdStatus, StatusDeprivation
from node.models.tallies import DeprivationTally, StatusTally

STATUS_KEY = ("period", "commune_code", "classification")
DEPRIVATION_KEY = ("period", "commune_code", "indicator")


def tally_status(session: Session, status: HouseholdStatus, sign: int) -> None:
    """Add one status and its deprivations to the tallies (``sign`` 1), or take them away (-1)."""
    newly = status.previous_classification != status.classification and not status.fell_back
    row = {
        "period": status.period,
        "commune_code": status.commune_code,
        "classification": status.classification,
        "households": sign,
        "urban": sign * (status.area == "urban"),
        "ethnic_minority": sign * bool(status.ethnic_minority),
        "fell_back": sign * bool(status.fell_back),
        "newly_listed": sign * newly,
        "was_poor": sign * (status.previous_classification == "poor"),
        "was_near_poor": sign * (status.previous_classification == "near_poor"),
        "members": sign * status.members_count,
    }
    connection = session.connection()
    _add(connection, StatusTally.__table__, STATUS_KEY, [row])
    deprived = [
        {"period": d.period, "commune_code": d.commune_code, "indicator": d.indicator,
         "households": sign}
        for d in status.deprivations
    ]  # fmt: skip
    if deprived:
        _add(connection, DeprivationTally.__table__, DEPRIVATION_KEY, deprived)


def tally_statuses(connection: Connection, which: ColumnElement[bool]) -> None:
    """Add the statuses ``which`` selects (new ones: an import's), and their deprivations."""
    _add_select(connection, StatusTally.__table__, STATUS_KEY, _status_counts(which))
    _add_select(connection, DeprivationTally.__table__, DEPRIVATION_KEY, _deprivation_counts(which))


def recount(session: Session, period: int) -> None:
    """The period's tallies built again from its statuses."""
    connection = session.connection()
    connection.execute(delete(StatusTally).where(StatusTally.period == period))
    connection.execute(delete(DeprivationTally).where(DeprivationTally.period == period))
    tally_statuses(connection, HouseholdStatus.period == period)


def _status_counts(which: ColumnElement[bool]) -> Any:
    """The statuses ``which`` selects, counted per period, commune and class."""
    s = HouseholdStatus
    previous = s.previous_classification

    def number(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            s.period,
            s.commune_code,
            s.classification,
            func.count().label("households"),
            number(s.area == "urban").label("urban"),
            number(s.ethnic_minority).label("ethnic_minority"),
            number(s.fell_back).label("fell_back"),
            number(and_(previous.is_distinct_from(s.classification), ~s.fell_back)).label(
                "newly_listed"
            ),
            number(previous == "poor").label("was_poor"),
            number(previous == "near_poor").label("was_near_poor"),
            func.coalesce(func.sum(s.members_count), 0).label("members"),
        )
        .where(which)
        .group_by(s.period, s.commune_code, s.classification)
    )


def _deprivation_counts(which: ColumnElement[bool]) -> Any:
    """The deprivations of the statuses ``which`` selects, counted per commune and indicator."""
    d = StatusDeprivation
    return (
        select(d.period, d.commune_code, d.indicator, func.count().label("households"))
        .join(HouseholdStatus, HouseholdStatus.id == d.status_id)
        .where(which)
        .group_by(d.period, d.commune_code, d.indicator)
    )


def _upsert(connection: Connection, table: Table) -> Any:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(dialect)  # pragma: no cover - the node runs on these two


def _adding(statement: Any, table: Table, key: tuple[str, ...]) -> Any:
    """``statement`` (an INSERT) adding its counts to a row already there under ``key``."""
    counts = [column.name for column in table.columns if column.name not in key]
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in counts},
    )


def _add(connection: Connection, table: Table, key: tuple[str, ...], rows: list[dict]) -> None:
    # In key order, so two writers adding to the same rows lock them in the same order.
    rows = sorted(rows, key=lambda row: tuple(row[name] for name in key))
    connection.execute(_adding(_upsert(connection, table).values(rows), table, key))


def _add_select(connection: Connection, table: Table, key: tuple[str, ...], query: Any) -> None:
    names = [column.name for column in table.columns]
    # SQLite reads "ON CONFLICT" after a SELECT as a join's ON unless the SELECT has a WHERE:
    # every query here has one.
    ordered = query.order_by(*query.selected_columns[: len(key)])
    statement = _upsert(connection, table).from_select(names, ordered)
    connection.execute(_adding(statement, table, key))
