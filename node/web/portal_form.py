"""The resident's declaration form: which questions it asks, and its fields as household facts.

Input names are the paths of the household facts format (RULES §4), ``members.1.birth_date``,
``housing.floor_area_m2``, so an error path from the engine names its input directly; only the
income is asked as an amount plus a period (``income``, ``income_period``). The browser builds the
same facts from the same fields (``GiamNgheoPortal.factsFromFields`` in static/js/portal.js), from
the tables below, which the page hands it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from node.schemas.facts import MEMBER_QUESTIONS, relevant_codes
from shared.standards import (
    InvalidFacts,
    Standard,
    age_in_months,
    evaluate,
    facts_catalog,
    national_standards,
    parse_date,
    standard_for,
)

YES, NO = "yes", "no"
INCOME = "income"
INCOME_PERIOD = "income_period"
INCOME_PERIODS = ("monthly", "annual")
# The error paths of the income facts, and the one input that holds the amount.
INCOME_PATHS = ("monthly_income", "annual_income")


# The steps after the members, each with the household facts it may ask, in the order asked.
HOUSEHOLD_STEPS = (
    ("housing", ("housing.floor_area_m2", "housing.walls_durable", "housing.columns_durable",
                 "housing.roof_durable")),
    ("water", ("water.source", "sanitation.latrine")),
    ("information", ("information.uses_telecom", "information.uses_internet",
                     "information.has_information_device", "waste.collected_or_treated")),
)  # fmt: skip

# Optional facts no standard needs, asked by the commune's verification: the household's main
# livelihood, which decides the average-living-standard list of Decision 24/2021 Art. 3.
OPTIONAL_STEPS = (("livelihood", ("main_income_source",)),)

MAX_MEMBERS = facts_catalog()["max_members"]
_MONEY_SEPARATORS = re.compile(r"[\s.,]|đồng$|đ$|d$", re.IGNORECASE)
# ASCII digits only: the browser script reads the same fields with the same patterns.
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")


def standards_for(period: int) -> tuple[Standard, ...]:
    """The standard of ``period``, then, in its last year, the next one (2026: VN-2027-2030).

    The lists drawn up at the end of a standard's last year take effect under the next one, so the
    resident sees both results and is asked what both need.
    """
    current = standard_for(period)
    following = [s for s in national_standards() if s.period_from == current.period_to + 1]
    return (current, *following[:1]) if period == current.period_to else (current,)


def asked_facts(standards: tuple[Standard, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The household steps with the facts any of ``standards`` needs; empty steps left out."""
    needed = frozenset().union(*(standard.household_facts for standard in standards))
    steps = []
    for step, paths in HOUSEHOLD_STEPS:
        asked = tuple(path for path in paths if path in needed)
        if asked:
            steps.append((step, asked))
    return tuple(steps)


def member_count(value: object) -> int | None:
    """The number of members a form gives, or None when it is not 1 to the catalogue's maximum."""
    text = str(value or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    count = int(text)
    return count if 1 <= count <= MAX_MEMBERS else None


def parse_money(text: str) -> int | str | None:
    """Đồng as people type them (4.200.000, 4 200 000 đ); what is not a number is left as typed."""
    text = text.strip()
    if not text:
        return None
    digits = _MONEY_SEPARATORS.sub("", text)
    return int(digits) if _DIGITS.fullmatch(digits) else text


def parse_number(text: str) -> int | float | str | None:
    """A number with a decimal point or comma (25,5); what is not a number is left as typed."""
    text = text.strip()
    if not text:
        return None
    candidate = text.replace(",", ".")
    if not _DECIMAL.fullmatch(candidate):
        return text
    number = float(candidate)
    return int(number) if number.is_integer() else number


def parse_date_text(text: str) -> str | None:
    """A date as YYYY-MM-DD; 02/05/1980 (day first, as Vietnamese write it) is turned into one."""
    text = text.strip()
    if not text:
        return None
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def parse_boolean(text: str) -> bool | str | None:
    """``yes``/``no`` as True/False; nothing chosen is None."""
    text = text.strip()
    if not text:
        return None
    return {YES: True, NO: False}.get(text, text)


def parse_value(spec: Mapping[str, Any], text: str) -> Any:
    """A form value as the fact of type ``spec["type"]``; None when the field was left empty."""
    kind = spec["type"]
    if kind == "money":
        return parse_money(text)
    if kind == "number":
        return parse_number(text)
    if kind == "boolean":
        return parse_boolean(text)
    if kind == "date":
        return parse_date_text(text)
    return text.strip() or None


def age_on(birth_date: object, reference: date) -> int | None:
    """Full years at ``reference`` of a member born on ``birth_date``; None if it is no date."""
    try:
        birth = parse_date(birth_date)
    except ValueError:
        return None
    return age_in_months(birth, reference) // 12 if birth <= reference else None


def form_to_facts(
    form: Mapping[str, str],
    *,
    members: int,
    asked: tuple[tuple[str, tuple[str, ...]], ...],
    period: int,
    area: str,
    reference_date: date,
) -> dict[str, Any]:
    """The household facts from the form's fields; empty fields are left out, for the engine to
    name, and a value that is not of its type is kept as typed, for the engine to reject."""
    catalog = facts_catalog()
    facts: dict[str, Any] = {
        "period": period,
        "reference_date": reference_date.isoformat(),
        "area": area,
    }
    income_path = "annual_income" if form.get(INCOME_PERIOD) == "annual" else "monthly_income"
    income = parse_money(form.get(INCOME, ""))
    if income is not None:
        facts[income_path] = income

    facts["members"] = []
    for index in range(members):
        member: dict[str, Any] = {}
        for question in MEMBER_QUESTIONS:
            value = parse_value(
                catalog["member_fields"][question.name],
                form.get(f"members.{index}.{question.name}", ""),
            )
            if value is not None:
                member[question.name] = value
        age = age_on(member.get("birth_date"), reference_date)
        for question in MEMBER_QUESTIONS:
            if not question.applies(age):
                member[question.name] = question.default
        facts["members"].append(member)

    for _, paths in asked:
        for path in paths:
            value = parse_value(catalog["fields"][path], form.get(path, ""))
            if value is None:
                continue
            group, _, name = path.rpartition(".")
            (facts.setdefault(group, {}) if group else facts)[name] = value
    return facts


def assess(
    facts: dict[str, Any], standards: tuple[Standard, ...]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The assessment under each standard, or the error codes (path → code) of all of them."""
    results, codes = [], {}
    for standard in standards:
        try:
            results.append(evaluate(facts, standard.id))
        except InvalidFacts as error:
            codes.update(error.codes)
    return (results if not codes else []), relevant_codes(codes)


def input_name(path: str) -> str:
    """The input an engine error path belongs to (``monthly_income`` → the income amount)."""
    return INCOME if path in INCOME_PATHS else path


def error_messages(codes: Mapping[str, str], lang: str) -> dict[str, str]:
    """Input name → message in ``lang``, from the engine's error codes and the catalogue's texts.

    A group's own error (``housing`` missing as a whole) is dropped when a field of it is named.
    """
    texts = facts_catalog()["errors"]
    messages: dict[str, str] = {}
    for path, code in codes.items():
        if "." not in path and any(other.startswith(path + ".") for other in codes):
            continue
        messages.setdefault(input_name(path), texts[code][lang])
    return messages


def input_id(name: str) -> str:
    """The HTML id of an input (or of the first radio of a group): ``f-members-0-sex``."""
    return "f-" + name.replace(".", "-").replace("_", "-")
