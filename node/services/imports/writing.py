"""Writing the checked rows: households, their statuses and deprivations, in three statements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Integer, Table, cast, func, insert, literal, select, text
from sqlalchemy.sql.elements import ColumnElement

from node.models.households import Household, HouseholdStatus, StatusDeprivation
from node.services.decisions import ON_THE_LISTS
from node.services.imports.columns import CLASS_WORDS
from node.services.imports.tables import CHECKED, INDICATORS
from node.services.imports.terms import Plan
from node.services.tallies import tally_statuses


def write_households(
    connection: Connection,
    plan: Plan,
    today: date,
    now: datetime,
    postgresql: bool,
    lap: Callable[[str], None],
) -> dict[str, int]:
    """The households, their statuses and deprivations, as the decision would write them."""
    c = CHECKED.c
    low, high = connection.execute(select(func.min(c.rn), func.max(c.rn))).one()
    span = high - low + 1
    # Ids follow the rows (gaps where blank rows were), so each table is written in one pass
    # without looking the households up again.
    household_id = c.rn + (_reserve_ids(connection, Household.__table__, span, postgresql) - low)
    first_status = _reserve_ids(connection, HouseholdStatus.__table__, span, postgresql)
    status_id = c.rn + (first_status - low)
    _insert_checked(connection, Household.__table__, _household_values(household_id, now))
    lap("write households")
    statuses = _status_values(status_id, household_id, plan, today)
    _insert_checked(connection, HouseholdStatus.__table__, statuses)
    lap("write statuses")
    _write_deprivations(connection, status_id, plan.period)
    lap("write deprivations")
    # The reserved ids are this import's statuses: their counts go into the tallies.
    tally_statuses(connection, HouseholdStatus.id.between(first_status, first_status + span - 1))
    lap("count")
    counts = dict.fromkeys(CLASS_WORDS, 0)
    counts.update(
        connection.execute(select(c.classification, func.count()).group_by(c.classification)).all()
    )
    return counts


def _reserve_ids(connection: Connection, table: Table, count: int, postgresql: bool) -> int:
    """The first of ``count`` consecutive ids no one else will use."""
    highest = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    if not postgresql:
        return highest + 1
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
    ).scalar_one()
    # Past the sequence and past any id written without it (a COPY with explicit ids).
    first = max(
        connection.execute(
            text("SELECT nextval(CAST(:sequence AS regclass))"), {"sequence": sequence}
        ).scalar_one(),
        highest + 1,
    )
    connection.execute(
        text("SELECT setval(CAST(:sequence AS regclass), :last)"),
        {"sequence": sequence, "last": first + count - 1},
    )
    return first


def _insert_checked(
    connection: Connection, table: Table, values: dict[str, ColumnElement[Any]]
) -> None:
    """One row into ``table`` per row of import_checked, its columns computed by ``values``."""
    connection.execute(
        insert(table).from_select(
            list(values), select(*(value.label(name) for name, value in values.items()))
        )
    )


def _ethnic_minority() -> ColumnElement[bool]:
    """Whether the row's household is an ethnic-minority one (the checked ethnicity is "1")."""
    return func.coalesce(CHECKED.c.ethnicity, "0") == "1"


def _household_values(
    household_id: ColumnElement[Any], now: datetime
) -> dict[str, ColumnElement[Any]]:
    """The columns of households, from import_checked."""
    c = CHECKED.c
    return {
        "id": household_id,
        "commune_code": c.commune,
        "village_id": c.village_id,
        "area": c.area_final,
        "head_name": c.head_name,
        "head_citizen_id": c.head_citizen_id,
        "address": c.address,
        "phone": c.phone,
        "ethnic_minority": _ethnic_minority(),
        "created_at": literal(now),
        "updated_at": literal(now),
    }


def _status_values(
    status_id: ColumnElement[Any], household_id: ColumnElement[Any], plan: Plan, today: date
) -> dict[str, ColumnElement[Any]]:
    """The columns of household_statuses, from import_checked."""
    c = CHECKED.c
    return {
        "id": status_id,
        "household_id": household_id,
        "period": literal(plan.period),
        "commune_code": c.commune,
        "classification": c.classification,
        "standard_id": literal(plan.standard.id),
        "area": c.area_final,
        "ethnic_minority": _ethnic_minority(),
        "previous_classification": c.previous_classification,
        # Tái nghèo needs the history before the previous period, which a list does not carry:
        # an imported poor household that was not poor last year counts as newly poor.
        "fell_back": literal(False),
        "members_count": cast(c.members_count, Integer),
        "decided_on": literal(today),
    }


def _write_deprivations(connection: Connection, status_id: ColumnElement[Any], period: int) -> None:
    """The deprivations of the households on the lists, in the standard's order."""
    c = CHECKED.c
    i = INDICATORS.c
    deprivations = (
        select(
            status_id.label("status_id"),
            i.indicator,
            literal(period).label("period"),
            c.commune,
        )
        .select_from(CHECKED.join(INDICATORS, i.raw == c.deprivations))
        # Only households on the lists are counted by indicator, as after a decision.
        .where(c.classification.in_(ON_THE_LISTS))
        .order_by(c.rn, i.position)
    )
    connection.execute(
        insert(StatusDeprivation.__table__).from_select(
            ["status_id", "indicator", "period", "commune_code"], deprivations
        )
    )
