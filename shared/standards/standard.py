"""Poverty standards as data: loading, checking and choosing the one for a review period."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from shared.standards.catalog import DATA_DIR, LANGUAGES, facts_catalog
from shared.standards.rules import (
    DeprivationFinder,
    MemberSelector,
    StandardError,
    compile_member_selector,
    compile_rules,
)

AREAS = ("rural", "urban")
SEXES = ("male", "female")
NATIONAL_STANDARD_IDS = ("VN-2022-2025", "VN-2027-2030")
_TOP_KEYS = {
    "id", "kind", "name", "source", "provisional", "periods", "income_lines", "average_lines",
    "poor_min_deprivations", "points_per_deprivation", "working_age", "dimensions", "indicators",
    "extends", "province_code", "about", "area_names", "provisional_parts", "low_income_lines",
    "low_income_worker",
}  # fmt: skip
# What a local standard may change of the national one it extends (RULES §1: higher lines); the
# low-income workers' lines and definition are national (Decree 30/2025) and inherited as they are.
_LOCAL_OVERRIDES = {
    "id", "name", "source", "income_lines", "average_lines", "province_code", "about",
}  # fmt: skip


class UnknownStandard(LookupError):
    """No standard has that id, or none covers that period."""


@dataclass(frozen=True, slots=True)
class Indicator:
    """One deprivation indicator: its code, dimension and texts (its rule is compiled into the
    standard's ``find_deprivations``)."""

    code: str
    dimension: str
    name: Mapping[str, str]
    reason: Mapping[str, str]
    evidence: Mapping[str, str]


@dataclass(frozen=True, slots=True, eq=False)
class Standard:
    """A poverty standard ready to evaluate households with."""

    id: str
    kind: str  # "national" or "local"
    period_from: int
    period_to: int
    income_lines: Mapping[str, int]
    average_lines: Mapping[str, int] | None
    poor_min_deprivations: int
    points_per_deprivation: int
    working_age_from_months: int
    retirement_months: Mapping[str, Mapping[int, int]]
    indicators: tuple[Indicator, ...]
    # What the standard's text calls each area ("khu vực thành thị" in Decree 07/2021, "khu vực
    # đô thị" in Decree 351/2025): on the result page, in the reasons and the reports.
    area_names: Mapping[str, Mapping[str, str]]
    find_deprivations: DeprivationFinder
    household_facts: frozenset[str]
    member_facts: frozenset[str]
    data: Mapping[str, Any]
    # Low-income workers (người lao động có thu nhập thấp, Decree 30/2025): the income lines per
    # person, None where the standard has none, and who among the members counts as a worker.
    low_income_lines: Mapping[str, int] | None = None
    find_low_income_workers: MemberSelector | None = None

    def covers(self, period: int) -> bool:
        """Whether lists for ``period`` are drawn up under this standard."""
        return self.period_from <= period <= self.period_to

    def retirement_age_months(self, year: int, sex: str) -> int:
        """Statutory retirement age in months in ``year`` (outside the table: its nearest year)."""
        table = self.retirement_months[sex]
        nearest = min(max(year, min(table)), max(table))
        return table[nearest]

    def to_json(self) -> dict[str, Any]:
        """The standard's data as shipped (a deep copy, safe to hand out)."""
        return copy.deepcopy(dict(self.data))


def _texts(value: Any, where: str) -> Mapping[str, str]:
    if not isinstance(value, dict) or any(
        not isinstance(value.get(lang), str) or not value[lang] for lang in LANGUAGES
    ):
        raise StandardError(f"{where}: expected texts in {', '.join(LANGUAGES)}")
    return MappingProxyType(dict(value))


def _lines(value: Any, where: str) -> Mapping[str, int]:
    if not isinstance(value, dict) or set(value) != set(AREAS):
        raise StandardError(f"{where}: expected a line for each of {AREAS}")
    for area, amount in value.items():
        if type(amount) is not int or amount <= 0:
            raise StandardError(f"{where}.{area}: expected a positive whole number of đồng")
    return MappingProxyType(dict(value))


def _whole(value: Any, where: str, low: int = 0) -> int:
    if type(value) is not int or value < low:
        raise StandardError(f"{where}: expected a whole number ≥ {low}")
    return value


def _retirement_table(working_age: Any) -> tuple[int, Mapping[str, Mapping[int, int]]]:
    if not isinstance(working_age, dict):
        raise StandardError("working_age: expected an object")
    from_months = _whole(working_age.get("from_years"), "working_age.from_years", 1) * 12
    table = working_age.get("retirement_age")
    if not isinstance(table, dict) or set(table) != set(SEXES):
        raise StandardError("working_age.retirement_age: expected a table for male and female")
    months: dict[str, Mapping[int, int]] = {}
    for sex, by_year in table.items():
        if not isinstance(by_year, dict) or not by_year:
            raise StandardError(f"working_age.retirement_age.{sex}: expected years")
        rows: dict[int, int] = {}
        for year, age in by_year.items():
            where = f"working_age.retirement_age.{sex}.{year}"
            if not str(year).isdigit() or not isinstance(age, list) or len(age) != 2:
                raise StandardError(f"{where}: expected [years, months]")
            rows[int(year)] = _whole(age[0], where, 1) * 12 + _whole(age[1], where)
        months[sex] = MappingProxyType(rows)
    return from_months, MappingProxyType(months)


def load_standard(data: Mapping[str, Any]) -> Standard:
    """Check a standard's data and compile its rules; raises StandardError naming the bad part.

    A local standard (``"extends": "VN-…"``) takes everything from the national standard it
    extends except its id, names, source and lines, which may only be higher.
    """
    if not isinstance(data, Mapping):
        raise StandardError("a standard must be an object")
    if data.get("extends") is not None:
        data = _merge_local(data)
    standard_id = _check_heading(data)
    period_from, period_to = _periods(data.get("periods"))
    income_lines = _lines(data.get("income_lines"), "income_lines")
    average_lines = _average_lines(data.get("average_lines"), income_lines)
    from_months, retirement = _retirement_table(data.get("working_age"))
    indicators = _indicators(data.get("indicators"), _dimension_codes(data.get("dimensions")))
    find, household_facts, member_facts = compile_rules(
        [(item["code"], item.get("rule")) for item in data["indicators"]], facts_catalog()
    )
    low_income_lines = _low_income_lines(data.get("low_income_lines"))
    find_workers = None
    if low_income_lines is not None:
        find_workers, worker_facts = _low_income_worker(data.get("low_income_worker"))
        member_facts |= worker_facts
    return Standard(
        id=standard_id,
        kind=data["kind"],
        period_from=period_from,
        period_to=period_to,
        income_lines=income_lines,
        average_lines=average_lines,
        poor_min_deprivations=_whole(data.get("poor_min_deprivations"), "poor_min_deprivations", 1),
        points_per_deprivation=_whole(
            data.get("points_per_deprivation"), "points_per_deprivation", 1
        ),
        working_age_from_months=from_months,
        retirement_months=retirement,
        indicators=indicators,
        area_names=_area_names(data.get("area_names")),
        find_deprivations=find,
        household_facts=household_facts,
        member_facts=member_facts,
        data=MappingProxyType(copy.deepcopy(dict(data))),
        low_income_lines=low_income_lines,
        find_low_income_workers=find_workers,
    )


def _merge_local(data: Mapping[str, Any]) -> dict[str, Any]:
    """A local standard's data laid over the national standard it extends."""
    base = get_standard(data["extends"]).data
    unexpected = set(data) - _LOCAL_OVERRIDES - {"extends"}
    if unexpected:
        raise StandardError(f"a local standard may not change {sorted(unexpected)}")
    merged = {**copy.deepcopy(dict(base)), **copy.deepcopy(dict(data)), "kind": "local"}
    _check_local_lines(merged, base)
    return merged


def _check_heading(data: Mapping[str, Any]) -> str:
    """Check the keys, id, kind, name and source; returns the id."""
    unexpected = set(data) - _TOP_KEYS
    if unexpected:
        raise StandardError(f"unexpected keys {sorted(unexpected)}")
    standard_id = data.get("id")
    if not isinstance(standard_id, str) or not standard_id.strip():
        raise StandardError("id: expected a name such as VN-2022-2025")
    if data.get("kind") not in ("national", "local"):
        raise StandardError("kind: expected national or local")
    _texts(data.get("name"), "name")
    _texts(data.get("source"), "source")
    return standard_id


def _area_names(value: Any) -> Mapping[str, Mapping[str, str]]:
    """The standard's words for its areas; without them, the catalogue's (facts.json)."""
    if value is None:
        value = facts_catalog()["texts"]["area"]
    if not isinstance(value, dict) or not set(AREAS) <= set(value):
        raise StandardError(f"area_names: expected texts for each of {AREAS} (and a basis)")
    return MappingProxyType({area: _texts(value[area], f"area_names.{area}") for area in AREAS})


def _periods(periods: Any) -> tuple[int, int]:
    """The first and last review period the standard covers."""
    if not isinstance(periods, dict):
        raise StandardError("periods: expected {from, to}")
    period_from = _whole(periods.get("from"), "periods.from", 2000)
    return period_from, _whole(periods.get("to"), "periods.to", period_from)


def _average_lines(value: Any, income_lines: Mapping[str, int]) -> Mapping[str, int] | None:
    """The average-living-standard lines, if any: above the income lines."""
    if value is None:
        return None
    average_lines = _lines(value, "average_lines")
    if any(average_lines[area] <= income_lines[area] for area in AREAS):
        raise StandardError("average_lines: must be above the income lines")
    return average_lines


def _low_income_lines(value: Any) -> Mapping[str, int] | None:
    """The low-income workers' lines per area, if the standard has them (with their basis)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise StandardError("low_income_lines: expected {rural, urban, basis} or null")
    _texts(value.get("basis"), "low_income_lines.basis")
    return _lines({k: v for k, v in value.items() if k != "basis"}, "low_income_lines")


def _low_income_worker(value: Any) -> tuple[MemberSelector, frozenset[str]]:
    """Who counts as a worker (người lao động) of the household: a member predicate."""
    definition = value if isinstance(value, dict) else {}
    unexpected = set(definition) - {"rule", "provisional", "about"}
    if not definition or unexpected:
        raise StandardError("low_income_worker: expected {rule, provisional, about}")
    _texts(definition.get("about"), "low_income_worker.about")
    return compile_member_selector(
        definition.get("rule"), facts_catalog(), "low_income_worker.rule"
    )


def _dimension_codes(dimensions: Any) -> set[str]:
    """The codes of the standard's dimensions, each checked to have a code and names."""
    if not isinstance(dimensions, list) or not dimensions:
        raise StandardError("dimensions: expected a list")
    dimension_codes = set()
    for index, dimension in enumerate(dimensions):
        if not isinstance(dimension, dict) or not isinstance(dimension.get("code"), str):
            raise StandardError(f"dimensions.{index}: expected {{code, name}}")
        _texts(dimension.get("name"), f"dimensions.{index}.name")
        dimension_codes.add(dimension["code"])
    return dimension_codes


def _check_local_lines(merged: Mapping[str, Any], base: Mapping[str, Any]) -> None:
    lines = _lines(merged.get("income_lines"), "income_lines")
    if any(lines[area] < base["income_lines"][area] for area in AREAS):
        raise StandardError("income_lines: a local standard's lines may not be below the national")
    if not isinstance(merged.get("province_code"), str):
        raise StandardError("province_code: a local standard belongs to one province")


def _indicators(value: Any, dimension_codes: set[str]) -> tuple[Indicator, ...]:
    if not isinstance(value, list) or not value:
        raise StandardError("indicators: expected a list")
    indicators = []
    for index, item in enumerate(value):
        where = f"indicators.{index}"
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise StandardError(f"{where}: expected an indicator with a code")
        unexpected = set(item) - {"code", "dimension", "name", "rule", "reason", "evidence"}
        if unexpected:
            raise StandardError(f"{where}: unexpected keys {sorted(unexpected)}")
        if item.get("dimension") not in dimension_codes:
            raise StandardError(f"{where}.dimension: not one of the standard's dimensions")
        indicators.append(
            Indicator(
                code=item["code"],
                dimension=item["dimension"],
                name=_texts(item.get("name"), f"{where}.name"),
                reason=_texts(item.get("reason"), f"{where}.reason"),
                evidence=_texts(item.get("evidence"), f"{where}.evidence"),
            )
        )
    codes = [indicator.code for indicator in indicators]
    if len(set(codes)) != len(codes):
        raise StandardError("indicators: codes must be unique")
    return tuple(indicators)


@cache
def _national_standards() -> dict[str, Standard]:
    standards = {}
    for standard_id in NATIONAL_STANDARD_IDS:
        with (DATA_DIR / f"{standard_id}.json").open(encoding="utf-8") as handle:
            standards[standard_id] = load_standard(json.load(handle))
    return standards


def national_standards() -> tuple[Standard, ...]:
    """The national standards shipped with giamngheo, oldest first."""
    return tuple(_national_standards().values())


def get_standard(standard_id: str) -> Standard:
    """The national standard with this id; raises UnknownStandard."""
    try:
        return _national_standards()[standard_id]
    except (KeyError, TypeError):
        raise UnknownStandard(f"unknown standard {standard_id!r}") from None


def standard_for(period: int) -> Standard:
    """The national standard the lists of ``period`` are drawn up under; raises UnknownStandard."""
    for standard in _national_standards().values():
        if type(period) is int and standard.covers(period):
            return standard
    raise UnknownStandard(f"no standard covers period {period!r}")
