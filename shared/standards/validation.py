"""Check household facts against the facts format (RULES §4) and one standard's needs.

Every problem is collected, so the resident sees all of them at once; nothing is guessed or
defaulted except ``reference_date`` (today), as the format says.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from shared.standards.catalog import error_text, facts_catalog

# A checker returns the value to use, or raises _Bad with an error code.
Checker = Callable[[Any], Any]


class InvalidFacts(ValueError):
    """Facts that break the format; ``fields`` maps each bad field path to a message.

    ``codes`` maps the same paths to machine-readable error codes, and ``messages(lang)`` gives the
    messages in Vietnamese (``vi``) or English (``en``).
    """

    def __init__(self, codes: dict[str, str]) -> None:
        self.codes = dict(sorted(codes.items()))
        self.fields = self.messages("en")
        super().__init__("invalid household facts: " + ", ".join(self.codes))

    def messages(self, lang: str) -> dict[str, str]:
        """Each bad field path with its message in ``lang``."""
        return {path: error_text(code, lang) for path, code in self.codes.items()}


class _Bad(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def _check_integer(spec: dict[str, Any]) -> Checker:
    low, high = spec.get("min"), spec.get("max")

    def check(value: Any) -> int:
        if type(value) is not int:
            raise _Bad("integer")
        if (low is not None and value < low) or (high is not None and value > high):
            raise _Bad("range")
        return value

    return check


def _check_money(spec: dict[str, Any]) -> Checker:
    # An amount no household has (10³⁰ đồng) is a typing slip, not a fact: the data's "max".
    high = spec.get("max")

    def check(value: Any) -> int:
        if type(value) is int:
            if value < 0:
                raise _Bad("negative")
        elif type(value) is float and math.isfinite(value):
            if value < 0:
                raise _Bad("negative")
            if not value.is_integer():
                raise _Bad("whole_dong")
        else:
            raise _Bad("integer")
        if high is not None and value > high:
            raise _Bad("too_large")
        return int(value)

    return check


def _check_number(spec: dict[str, Any]) -> Checker:
    exclusive_min, high = spec.get("exclusive_min"), spec.get("max")

    def check(value: Any) -> int | float:
        if type(value) not in (int, float) or not math.isfinite(value):
            raise _Bad("number")
        if value < 0:
            raise _Bad("negative")
        if exclusive_min is not None and value <= exclusive_min:
            raise _Bad("positive")
        if high is not None and value > high:
            raise _Bad("too_large")
        return value

    return check


def _check_boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise _Bad("boolean")
    return value


def _check_enum(spec: dict[str, Any]) -> Checker:
    values = frozenset(spec["values"])

    def check(value: Any) -> str:
        if type(value) is not str or value not in values:
            raise _Bad("enum")
        return value

    return check


def parse_date(value: Any) -> date:
    """A strict ``YYYY-MM-DD`` date; raises ValueError otherwise."""
    # fromisoformat alone also takes "20260101" and week dates, which no form should send.
    if type(value) is not str or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(f"not a YYYY-MM-DD date: {value!r}")
    return date.fromisoformat(value)


def _check_date(spec: dict[str, Any]) -> Checker:
    # A birth date in year 1 is a typing slip: the data's "min" and "max" (YYYY-MM-DD).
    low = parse_date(spec["min"]) if "min" in spec else None
    high = parse_date(spec["max"]) if "max" in spec else None

    def check(value: Any) -> date:
        try:
            day = parse_date(value)
        except ValueError:
            raise _Bad("date") from None
        if (low is not None and day < low) or (high is not None and day > high):
            raise _Bad("date_range")
        return day

    return check


_CHECKERS: dict[str, Callable[[dict[str, Any]], Checker]] = {
    "integer": _check_integer,
    "money": _check_money,
    "number": _check_number,
    "boolean": lambda spec: _check_boolean,
    "enum": _check_enum,
    "date": _check_date,
}


@cache
def _earliest_birth() -> date | None:
    """The data's earliest plausible birth date (the members' fast check reads it)."""
    low = facts_catalog()["member_fields"]["birth_date"].get("min")
    return parse_date(low) if low else None


def _reference_in_period(values: dict[str, Any], errors: dict[str, str]) -> None:
    """The reference date falls in the years the data allows around the period (ages are
    computed at the review, not in 2099)."""
    years = facts_catalog()["fields"]["reference_date"].get("period_years")
    reference, period = values.get("reference_date"), values.get("period")
    if years is None or reference is None or period is None:
        return
    if not period + years[0] <= reference.year <= period + years[1]:
        errors["reference_date"] = "reference_period"


@cache
def _field_checkers() -> tuple[dict[str, Checker], dict[str, Checker], dict[str, set[str]]]:
    """Checkers for household paths and member fields, and each group's field names."""
    catalog = facts_catalog()
    household = {
        path: _CHECKERS[spec["type"]](spec)
        for path, spec in catalog["fields"].items()
        if spec["type"] != "members"
    }
    member = {
        name: _CHECKERS[spec["type"]](spec) for name, spec in catalog["member_fields"].items()
    }
    groups: dict[str, set[str]] = {}
    for path in household:
        if "." in path:
            group, name = path.split(".")
            groups.setdefault(group, set()).add(name)
    return household, member, groups


_MISSING = object()
_ALWAYS_REQUIRED = frozenset(("period", "area"))
_MEMBER_ALWAYS_REQUIRED = frozenset(("birth_date", "sex", "relation"))
_Layout = tuple[
    frozenset[str], tuple[tuple[str, frozenset[str], tuple[tuple[str, str, Checker], ...]], ...]
]


@cache
def _household_layout() -> _Layout:
    """The allowed top-level keys, and per group ("" = top level) its names and field checkers."""
    household, _, groups = _field_checkers()
    by_group: dict[str, list[tuple[str, str, Checker]]] = {}
    for path, check in household.items():
        group, _, name = path.rpartition(".")
        by_group.setdefault(group, []).append((name, path, check))
    top_level = frozenset(p for p in facts_catalog()["fields"] if "." not in p) | frozenset(groups)
    layout = tuple(
        (group, frozenset(groups.get(group, ())), tuple(fields))
        for group, fields in by_group.items()
    )
    return top_level, layout


class ValidFacts:
    """Facts that passed validation, with the values the engine computes from."""

    __slots__ = ("area", "facts", "members", "monthly_income", "period", "reference_date")

    def __init__(
        self,
        facts: dict[str, Any],
        period: int,
        area: str,
        reference_date: date,
        monthly_income: int,
        members: list[tuple[dict[str, Any], date]],
    ) -> None:
        self.facts = facts
        self.period = period
        self.area = area
        self.reference_date = reference_date
        self.monthly_income = monthly_income
        self.members = members


def validate_facts(
    facts: Any,
    household_required: frozenset[str],
    member_required: frozenset[str],
    errors: dict[str, str] | None = None,
) -> ValidFacts:
    """Check ``facts``; raise InvalidFacts naming every bad field (plus any ``errors`` given)."""
    errors = dict(errors) if errors else {}
    if facts.__class__ is not dict:
        raise InvalidFacts({"facts": "object"})
    _, member_checkers, _ = _field_checkers()
    values: dict[str, Any] = {}

    top_level, layout = _household_layout()
    if not facts.keys() <= top_level:
        for key in facts.keys() - top_level:
            errors[str(key)] = "unknown"
    for group, names, fields in layout:
        if group:
            container = facts.get(group)
            if container.__class__ is not dict:
                if container is not None:
                    errors[group] = "object"
                    continue
                for _, path, _ in fields:
                    if path in household_required:
                        errors[group] = errors[path] = "required"
                continue
            if not container.keys() <= names:
                for key in container.keys() - names:
                    errors[f"{group}.{key}"] = "unknown"
        else:
            container = facts
        for name, path, check in fields:
            value = container.get(name, _MISSING)
            if value is _MISSING:
                if path in household_required or path in _ALWAYS_REQUIRED:
                    errors[path] = "required"
                continue
            try:
                values[path] = check(value)
            except _Bad as bad:
                errors[path] = bad.code

    _reference_in_period(values, errors)
    monthly = _income(facts, values, errors)
    reference = values.get("reference_date") or date.today()
    members = _members(facts.get("members"), reference, member_checkers, member_required, errors)
    if errors:
        raise InvalidFacts(errors)
    return ValidFacts(facts, values["period"], values["area"], reference, monthly, members)


def _income(facts: dict[str, Any], values: dict[str, Any], errors: dict[str, str]) -> int:
    has_monthly, has_annual = "monthly_income" in facts, "annual_income" in facts
    if has_monthly and has_annual:
        errors["monthly_income"] = errors["annual_income"] = "both_incomes"
        return 0
    if not has_monthly and not has_annual:
        errors["monthly_income"] = "income_missing"
        return 0
    if has_annual:
        annual = values.get("annual_income")
        return annual // 12 if annual is not None else 0
    return values.get("monthly_income", 0)


_FastChecks = tuple[frozenset[str], tuple[str, ...], tuple[tuple[str, frozenset[str]], ...]]


@cache
def _member_fast_checks() -> _FastChecks:
    """Every member field, the boolean ones, and the enum ones with their values."""
    specs = facts_catalog()["member_fields"]
    booleans = tuple(name for name, spec in specs.items() if spec["type"] == "boolean")
    enums = tuple(
        (name, frozenset(spec["values"])) for name, spec in specs.items() if spec["type"] == "enum"
    )
    other = set(specs) - set(booleans) - {name for name, _ in enums}
    if other != {"birth_date"}:
        raise AssertionError(f"the fast member check does not know the fields {other}")
    return frozenset(specs), booleans, enums


def _member_is_clean(member: dict[str, Any], reference: date, fast: _FastChecks) -> date | None:
    """The birth date of a member whose every field is present and well-formed, else None.

    Nearly every member is clean; checking that in one tight pass leaves the detailed, slower
    pass (which names each problem) to the rest.
    """
    all_fields, booleans, enums = fast
    if member.keys() != all_fields:
        return None
    for name in booleans:
        if member[name].__class__ is not bool:
            return None
    for name, values in enums:
        value = member[name]
        if value.__class__ is not str or value not in values:
            return None
    try:
        birth = parse_date(member["birth_date"])
    except ValueError:
        return None
    earliest = _earliest_birth()
    if earliest is not None and birth < earliest:
        return None
    return birth if birth <= reference else None


def _members(
    members: Any,
    reference: date,
    checkers: dict[str, Checker],
    required: frozenset[str],
    errors: dict[str, str],
) -> list[tuple[dict[str, Any], date]]:
    """The members with their birth dates; every problem goes into ``errors``."""
    if members is None:
        errors["members"] = "required"
        return []
    if not isinstance(members, list):
        errors["members"] = "list"
        return []
    if not members:
        errors["members"] = "no_members"
        return []
    if len(members) > facts_catalog()["max_members"]:
        errors["members"] = "too_many_members"
        return []
    fast = _member_fast_checks()
    result = []
    heads = 0
    relations_known = True
    for index, member in enumerate(members):
        if member.__class__ is dict:
            birth = _member_is_clean(member, reference, fast)
            if birth is not None:
                heads += member["relation"] == "head"
                result.append((member, birth))
                continue
        birth, head, relation_known = _check_member(
            member, f"members.{index}", reference, checkers, required, errors
        )
        heads += head
        relations_known = relations_known and relation_known
        if birth is not None:
            result.append((member, birth))
    if relations_known and heads != 1:
        errors["members"] = "head_count"
    return result


def _check_member(
    member: Any,
    prefix: str,
    reference: date,
    checkers: dict[str, Checker],
    required: frozenset[str],
    errors: dict[str, str],
) -> tuple[date | None, bool, bool]:
    """One member, field by field: its birth date (None if missing or bad), whether it is the
    head, whether its relation is known; every problem goes into ``errors``."""
    if not isinstance(member, dict):
        errors[prefix] = "object"
        return None, False, False
    for key in member.keys() - checkers.keys():
        errors[f"{prefix}.{key}"] = "unknown"
    birth = None
    head = False
    relation_known = True
    for name, check in checkers.items():
        if name in member:
            try:
                value = check(member[name])
            except _Bad as bad:
                errors[f"{prefix}.{name}"] = bad.code
                if name == "relation":
                    relation_known = False
                continue
            if name == "birth_date":
                birth = value
            elif name == "relation" and value == "head":
                head = True
        elif name in required or name in _MEMBER_ALWAYS_REQUIRED:
            errors[f"{prefix}.{name}"] = "required"
            if name == "relation":
                relation_known = False
    if birth is not None and birth > reference:
        errors[f"{prefix}.birth_date"] = "birth_after_reference"
    return birth, head, relation_known
