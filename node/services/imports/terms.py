"""The values with few distinct values (communes, villages, classes…), each checked once."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, select, text
from sqlalchemy.orm import Session

from node.models.units import Village
from node.services.decisions import MAJORITY
from node.services.identity import normalize_text
from node.services.imports.columns import (
    AREA_WORDS,
    CLASS_WORDS,
    COLUMN_BY_KEY,
    ETHNICITY_MAX_LENGTH,
    INDICATOR_SEPARATOR,
    MEMBERS_MAX,
    MESSAGES,
)
from node.services.imports.tables import INDICATORS, TERMS
from shared import units
from shared.standards import Standard, national_standards


@dataclass(frozen=True)
class Term:
    """What one distinct value of a column means: a value, or a problem."""

    value: str | None = None
    problem: str | None = None
    ref: int | None = None  # a village's id
    commune_code: str | None = None  # a village's commune
    area: str | None = None  # a commune's or a village's own area
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What the checks of one import need to know."""

    province_code: str
    period: int
    standard: Standard
    villages: dict[str, tuple[int, str, str | None, bool]]  # code → id, commune, area, active
    # Indicator codes and Vietnamese names (casefolded) → code: the period's standard's, and
    # every national standard's (to say that "waste" is of another standard, not unknown).
    indicators: dict[str, str] = field(default_factory=dict)
    any_indicators: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        province_code: str,
        period: int,
        standard: Standard,
        villages: dict[str, tuple[int, str, str | None, bool]],
    ) -> Plan:
        """The plan, with the indicator names looked up once."""
        others = {}
        for national in national_standards():
            others.update(_indicator_names(national))
        return cls(province_code, period, standard, villages, _indicator_names(standard), others)


def _key(value: str) -> str:
    return normalize_text(value).casefold()


def _words(mapping: dict[str, str]) -> dict[str, str]:
    return {_key(word): code for word, code in mapping.items()}


_CLASSES = {
    **_words({word: code for code, word in CLASS_WORDS.items()}),
    **{c: c for c in CLASS_WORDS},
}
_AREAS = {**_words(AREA_WORDS), "rural": "rural", "urban": "urban"}
_COMMUNE_CODE = re.compile(r"[0-9]{5}")
_YEAR = re.compile(r"[0-9]{4}")
_COUNT = re.compile(r"[0-9]{1,3}")


def _parse_commune(plan: Plan, value: str) -> Term:
    code = value.strip()
    if not _COMMUNE_CODE.fullmatch(code):
        return Term(problem=MESSAGES["commune_format"])
    if not units.is_commune_code(code):
        return Term(problem=MESSAGES["commune_unknown"])
    commune = units.commune(code)
    if commune.province_code != plan.province_code:
        return Term(
            problem=MESSAGES["commune_elsewhere"].format(
                province=units.province(commune.province_code).name,
                ours=units.province(plan.province_code).name,
            )
        )
    return Term(value=code, area=commune.default_area)


def _parse_village(plan: Plan, value: str) -> Term:
    code = value.strip()
    village = plan.villages.get(code)
    if village is None:
        return Term(problem=MESSAGES["village_unknown"])
    village_id, commune_code, area, active = village
    if not active:
        return Term(problem=MESSAGES["village_inactive"])
    return Term(value=code, ref=village_id, commune_code=commune_code, area=area)


def _parse_ethnicity(_plan: Plan, value: str) -> Term:
    name = normalize_text(value)
    if len(name) > ETHNICITY_MAX_LENGTH:
        return Term(problem=MESSAGES["ethnicity_too_long"])
    # As the decision does (node.services.decisions): a head of a minority makes the household
    # an ethnic-minority one; an empty cell records nothing.
    return Term(value="1" if name and name.casefold() not in MAJORITY else "0")


def _parse_area(_plan: Plan, value: str) -> Term:
    area = _AREAS.get(_key(value))
    return Term(value=area) if area else Term(problem=MESSAGES["area"])


def _parse_period(plan: Plan, value: str) -> Term:
    year = value.strip()
    if not _YEAR.fullmatch(year):
        return Term(problem=MESSAGES["period_format"])
    if int(year) != plan.period:
        return Term(problem=MESSAGES["period_other"].format(period=plan.period))
    return Term(value=year)


def _parse_classification(_plan: Plan, value: str) -> Term:
    code = _CLASSES.get(_key(value))
    return Term(value=code) if code else Term(problem=MESSAGES["classification"])


def _parse_members_count(_plan: Plan, value: str) -> Term:
    number = value.strip()
    if not _COUNT.fullmatch(number) or not 1 <= int(number) <= MEMBERS_MAX:
        return Term(problem=MESSAGES["members_count"])
    return Term(value=str(int(number)))


def _indicator_names(standard: Standard) -> dict[str, str]:
    names = {}
    for indicator in standard.indicators:
        names[_key(indicator.code)] = indicator.code
        names[_key(indicator.name["vi"])] = indicator.code
    return names


def _parse_deprivations(plan: Plan, value: str) -> Term:
    codes: list[str] = []
    problems: list[str] = []
    for item in (normalize_text(part) for part in value.split(INDICATOR_SEPARATOR)):
        if not item:
            continue
        code = plan.indicators.get(item.casefold())
        if code is not None:
            if code not in codes:
                codes.append(code)
        elif item.casefold() in plan.any_indicators:
            problems.append(
                MESSAGES["indicator_standard"].format(
                    item=item, standard=plan.standard.id, period=plan.period
                )
            )
        else:
            problems.append(MESSAGES["indicator_unknown"].format(item=item))
    if problems:
        return Term(problem="; ".join(problems))
    # Legal order, as the engine lists them (RULES §3).
    order = [indicator.code for indicator in plan.standard.indicators]
    return Term(value="", indicators=tuple(sorted(codes, key=order.index)))


PARSERS: dict[str, Callable[[Plan, str], Term]] = {
    "commune": _parse_commune,
    "village": _parse_village,
    "ethnicity": _parse_ethnicity,
    "area": _parse_area,
    "period": _parse_period,
    "classification": _parse_classification,
    "members_count": _parse_members_count,
    "deprivations": _parse_deprivations,
    "previous_classification": _parse_classification,
}


def parse_term(plan: Plan, key: str, value: str) -> Term:
    """What a cell means: blank is "nothing" (a problem if the column is required)."""
    if not value.strip():
        return Term(problem=MESSAGES["required"] if COLUMN_BY_KEY[key].required else None)
    return PARSERS[key](plan, value)


def find_villages(
    session: Session, named: set[str]
) -> dict[str, tuple[int, str, str | None, bool]]:
    """The villages the file names, by code: id, commune, own area, active."""
    codes = sorted({code.strip() for code in named})
    found = {}
    for start in range(0, len(codes), 1000):  # bounded IN lists
        rows = session.execute(
            select(
                Village.code, Village.id, Village.commune_code, Village.area, Village.active
            ).where(Village.code.in_(codes[start : start + 1000]))
        )
        for code, village_id, commune, area, active in rows:
            found[code] = (village_id, commune, area, active)
    return found


def store_terms(connection: Connection, plan: Plan, distinct: dict[str, set[str]]) -> None:
    """Check each distinct value of the per-value columns once; store the answers."""
    terms: list[tuple[Any, ...]] = []
    indicators: list[tuple[Any, ...]] = []
    for key, values in distinct.items():
        for value in values:
            term = parse_term(plan, key, value)
            terms.append(
                (key, value, term.value, term.ref, term.commune_code, term.area, term.problem)
            )
            indicators += [(value, code, position) for position, code in enumerate(term.indicators)]
    _bulk_insert(connection, TERMS, terms)
    _bulk_insert(connection, INDICATORS, indicators)
    if connection.dialect.name == "postgresql":
        connection.execute(text("ANALYZE import_terms, import_indicators"))


def _bulk_insert(connection: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Rows into one of the temporary tables, in the order of its columns: COPY on PostgreSQL
    (a list of indicators has tens of thousands of distinct values; executemany sends each
    alone), executemany on SQLite (in-process, already fast)."""
    names = ", ".join(column.name for column in table.columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    elif rows:
        marks = ", ".join("?" * len(table.columns))
        # Names of the import's own tables and columns only.
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608
