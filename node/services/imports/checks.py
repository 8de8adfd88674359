"""Finding the problems of the staged rows, each with its row and column, in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    Select,
    Subquery,
    Text,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from node.models.households import Household
from node.services.identity import NAME_MAX_LENGTH
from node.services.imports.cleaning import DIGIT_PATTERN, clean_citizen_id, clean_phone, clean_text
from node.services.imports.columns import ADDRESS_MAX_LENGTH, COLUMN_BY_KEY, MESSAGES
from node.services.imports.problems import Errors, RowError, row_error
from node.services.imports.tables import CHECKED, PER_VALUE, ROWS, TERMS


def check_rows(connection: Connection, postgresql: bool) -> None:
    """import_checked: each row's values normalised, with the problems of its per-value cells."""
    joined = ROWS
    terms = {}
    for key in PER_VALUE:
        terms[key] = TERMS.alias(f"t_{key}")
        joined = joined.outerjoin(
            terms[key], and_(terms[key].c.kind == key, terms[key].c.raw == ROWS.c[key])
        )
    required = literal(MESSAGES["required"], Text)
    columns: dict[str, ColumnElement[Any]] = {"rn": ROWS.c.rn}
    for key in PER_VALUE:
        columns[key] = terms[key].c.value
        # A NULL cell has no term: it is blank, a problem only where the column is required.
        columns[f"{key}_problem"] = (
            case((ROWS.c[key].is_(None), required), else_=terms[key].c.problem)
            if COLUMN_BY_KEY[key].required
            else terms[key].c.problem
        )
    columns["deprivations"] = ROWS.c.deprivations  # the key of import_indicators
    columns["commune_area"] = terms["commune"].c.area
    columns["village_id"] = terms["village"].c.ref
    columns["village_commune"] = terms["village"].c.commune_code
    # The area follows the village and commune as the node records them (places.area_of); the
    # file's "Khu vực" is checked as a word but decides nothing (issue 14 §3).
    columns["area_final"] = func.coalesce(terms["village"].c.area, terms["commune"].c.area)
    columns["head_name"] = clean_text(ROWS.c.head_name)
    columns["head_citizen_id"] = clean_citizen_id(ROWS.c.head_citizen_id)
    columns["phone"] = clean_phone(ROWS.c.phone)
    columns["address"] = clean_text(ROWS.c.address)
    query = select(*(expression.label(name) for name, expression in columns.items())).select_from(
        joined
    )
    connection.execute(insert(CHECKED).from_select(list(columns), query))
    if postgresql:
        connection.execute(text("ANALYZE import_checked"))


def row_errors(connection: Connection, errors: Errors) -> Iterator[RowError]:
    """Every problem of the staged rows, in row order; counted into ``errors``."""
    row_problems = _row_problems()
    kept = 0
    for row in connection.execute(_problem_rows(row_problems)).mappings():
        found = _errors_of(row, row_problems)
        errors.total += len(found)
        # Rows come in order: past the limit, only the count still matters.
        if kept < errors.limit:
            found.sort()
            kept += len(found)
            yield from found


def _row_problems() -> dict[str, ColumnElement[Any]]:
    """The per-row checks, as SQL giving a message key (or NULL) for each column."""
    c = CHECKED.c
    return {
        "head_name": case(
            (c.head_name.is_(None), "required"),
            (func.char_length(c.head_name) > NAME_MAX_LENGTH, "name_too_long"),
            (c.head_name.regexp_match(DIGIT_PATTERN), "name_digits"),
        ),
        "head_citizen_id": case(
            (c.head_citizen_id.is_(None), "required"),
            (c.head_citizen_id == "", "citizen_id_format"),
        ),
        "phone": case((c.phone == "", "phone_format")),
        "address": case((func.char_length(c.address) > ADDRESS_MAX_LENGTH, "address_too_long")),
    }


def _repeated_ids() -> Subquery:
    """The ID numbers the file holds more than once, each with the first row holding it."""
    c = CHECKED.c
    ids = c.head_citizen_id
    return (
        select(ids.label("id"), func.min(c.rn).label("first"))
        .where(ids != "")
        .group_by(ids)
        .having(func.count() > 1)
        .subquery()
    )


def _known_ids() -> Subquery:
    """The file's ID numbers that households on the node already have."""
    ids = CHECKED.c.head_citizen_id
    return (
        select(Household.head_citizen_id.label("id"))
        .where(Household.head_citizen_id.in_(select(ids).where(ids != "")))
        .distinct()
        .subquery()
    )


def _problem_rows(row_problems: dict[str, ColumnElement[Any]]) -> Select[Any]:
    """The rows with a problem, in row order: p_KEY the problem of a per-value cell, q_KEY the
    message key of a per-row check, and the village's commune, the first row of a repeated ID
    number, whether the node knows it."""
    c = CHECKED.c
    ids = c.head_citizen_id
    repeated = _repeated_ids()
    known = _known_ids()
    per_value = {key: c[f"{key}_problem"] for key in PER_VALUE}
    other_commune = and_(
        c.village_commune.is_not(None), c.commune.is_not(None), c.village_commune != c.commune
    )
    return (
        select(
            c.rn,
            c.commune,
            c.village,
            c.village_commune,
            other_commune.label("other_commune"),
            repeated.c.first,
            known.c.id.is_not(None).label("known"),
            *(problem.label(f"p_{key}") for key, problem in per_value.items()),
            *(problem.label(f"q_{key}") for key, problem in row_problems.items()),
        )
        .select_from(
            CHECKED.outerjoin(
                repeated, and_(repeated.c.id == ids, c.rn > repeated.c.first)
            ).outerjoin(known, known.c.id == ids)
        )
        .where(
            or_(
                *(problem.is_not(None) for problem in per_value.values()),
                *(problem.is_not(None) for problem in row_problems.values()),
                other_commune,
                repeated.c.first.is_not(None),
                known.c.id.is_not(None),
            )
        )
        .order_by(c.rn)
    )


def _errors_of(row: RowMapping, row_checks: Iterable[str]) -> list[RowError]:
    """The problems one row of _problem_rows names, in the order the checks ran."""
    found: list[RowError] = []
    for key in PER_VALUE:
        if row[f"p_{key}"] is not None:
            found.append(row_error(row["rn"], key, row[f"p_{key}"]))
    for key in row_checks:
        if row[f"q_{key}"] is not None:
            found.append(row_error(row["rn"], key, MESSAGES[row[f"q_{key}"]]))
    if row["other_commune"]:
        message = MESSAGES["village_commune"].format(
            village=row["village"], commune=row["village_commune"]
        )
        found.append(row_error(row["rn"], "village", message))
    if row["first"] is not None:
        message = MESSAGES["citizen_id_repeated"].format(first=row["first"])
        found.append(row_error(row["rn"], "head_citizen_id", message))
    elif row["known"]:
        found.append(row_error(row["rn"], "head_citizen_id", MESSAGES["citizen_id_known"]))
    return found
