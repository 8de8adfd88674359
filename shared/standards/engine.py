"""Evaluate a household against a poverty standard (DESIGN §4, RULES §2–3)."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from shared.standards.catalog import LANGUAGES, facts_catalog, format_dong
from shared.standards.standard import (
    Standard,
    UnknownStandard,
    get_standard,
    national_standards,
    standard_for,
)
from shared.standards.validation import InvalidFacts, ValidFacts, validate_facts


def age_in_months(birth: date, on: date) -> int:
    """Full months from ``birth`` to ``on``: born 2020-10-02, 71 months old on 2026-10-01."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months - 1 if on.day < birth.day else months


def evaluate(
    facts: Any, standard_id: str | None = None, *, standard: Standard | None = None
) -> dict[str, Any]:
    """Classify a household; raises InvalidFacts naming every bad field.

    ``standard_id`` None picks the national standard for ``facts["period"]``; a node with a local
    standard passes it as ``standard``.
    """
    if standard is None:
        standard, errors = _choose_standard(facts, standard_id)
    else:
        errors = {}
    valid = validate_facts(facts, standard.household_facts, standard.member_facts, errors)
    return assess(valid, standard)


def _choose_standard(facts: Any, standard_id: str | None) -> tuple[Standard, dict[str, str]]:
    if standard_id is not None:
        return get_standard(standard_id), {}
    period = facts.get("period") if isinstance(facts, dict) else None
    if type(period) is int:
        try:
            return standard_for(period), {}
        except UnknownStandard:
            # Validate against the newest standard too, so every other bad field is named as well.
            return national_standards()[-1], {"period": "period_unsupported"}
    # A missing or malformed period is reported by validation, against the newest standard.
    return national_standards()[-1], {}


def assess(valid: ValidFacts, standard: Standard) -> dict[str, Any]:
    """The assessment of facts that already passed validation."""
    reference = valid.reference_date
    retirement = _retirement(standard, reference.year)
    from_months = standard.working_age_from_months
    members = []
    for member, birth in valid.members:
        months = age_in_months(birth, reference)
        members.append((member, months // 12, from_months <= months < retirement[member["sex"]]))
    deprivations = standard.find_deprivations(valid.facts, members)
    count = len(deprivations)
    area = valid.area
    income_per_capita = valid.monthly_income // len(members)
    line = standard.income_lines[area]
    average_line = standard.average_lines[area] if standard.average_lines else None
    if income_per_capita <= line:
        classification = "poor" if count >= standard.poor_min_deprivations else "near_poor"
    elif average_line is not None and income_per_capita <= average_line:
        classification = "average"
    else:
        classification = "not_poor"
    texts = _texts_for(standard, area)
    low_income_line = texts.low_income_line
    workers: list[int] = []
    # Decree 30/2025: workers of households that are neither poor nor near-poor (so above the
    # income line) with an income per person at or below the low-income line.
    if low_income_line is not None and line < income_per_capita <= low_income_line:
        workers = standard.find_low_income_workers(members)
    reasons = [
        texts.income(income_per_capita),
        *(dict(texts.indicators[code]) for code in deprivations),
        dict(texts.deprivations[count]),
        dict(texts.classification[classification]),
    ]
    if workers:
        reasons.append(texts.low_income_workers(len(workers)))
    return {
        "standard_id": standard.id,
        "period": valid.period,
        "area": area,
        "income_per_capita": income_per_capita,
        "income_line": line,
        "average_line": average_line,
        "deprivations": deprivations,
        "deprivation_count": count,
        "deprivation_score": count * standard.points_per_deprivation,
        "classification": classification,
        # The list of farming, forestry, fishery and salt households with an average living
        # standard (Decision 24/2021 Art. 3): the income class `average` and such a livelihood.
        "average_livelihood": classification == "average"
        and valid.facts.get("main_income_source") in _average_list_sources(),
        "low_income_line": low_income_line,
        "low_income_workers": workers,
        "reasons": reasons,
    }


class _Texts:
    """A standard's reason texts for one area, with everything but the income filled in."""

    def __init__(self, standard: Standard, area: str) -> None:
        texts = facts_catalog()["texts"]
        line = standard.income_lines[area]
        average_line = standard.average_lines[area] if standard.average_lines else None
        self._line = line
        self._average_line = average_line
        self._templates = {}
        for key in (
            "income_at_or_below_line",
            "income_at_or_below_average",
            "income_above",
            "income_above_average",
        ):
            self._templates[key] = {
                lang: texts[key][lang]
                .replace("{area}", standard.area_names[area][lang])
                .replace("{line}", format_dong(line, lang))
                .replace("{average_line}", format_dong(average_line or 0, lang))
                for lang in LANGUAGES
            }
        self.indicators = {
            indicator.code: {"code": indicator.code, **indicator.reason}
            for indicator in standard.indicators
        }
        lines = standard.low_income_lines
        self.low_income_line = lines[area] if lines else None
        self._low_income = {
            lang: texts["low_income_workers"][lang]
            .replace("{area}", standard.area_names[area][lang])
            .replace("{low_income_line}", format_dong(self.low_income_line or 0, lang))
            for lang in LANGUAGES
        }
        points = standard.points_per_deprivation
        self.deprivations = [
            {
                "code": "deprivations",
                **{
                    lang: texts["deprivations"][lang].format(
                        count=count, score=count * points, points=points
                    )
                    for lang in LANGUAGES
                },
            }
            for count in range(len(standard.indicators) + 1)
        ]
        minimum = standard.poor_min_deprivations
        self.classification = {
            name: {
                "code": "classification",
                **{lang: template[lang].format(min=minimum) for lang in LANGUAGES},
            }
            for name, template in texts["classification"].items()
        }

    def income(self, income: int) -> dict[str, str]:
        """Income per person against the line (and the average line, where one is set)."""
        if income <= self._line:
            key = "income_at_or_below_line"
        elif self._average_line is None:
            key = "income_above"
        elif income <= self._average_line:
            key = "income_at_or_below_average"
        else:
            key = "income_above_average"
        template = self._templates[key]
        return {
            "code": "income",
            **{
                lang: template[lang].replace("{income}", format_dong(income, lang))
                for lang in LANGUAGES
            },
        }

    def low_income_workers(self, count: int) -> dict[str, str]:
        """How many low-income workers the household has, and under which line."""
        return {
            "code": "low_income_workers",
            **{lang: self._low_income[lang].replace("{count}", str(count)) for lang in LANGUAGES},
        }


@cache
def _average_list_sources() -> frozenset[str]:
    """The main livelihoods of the average-living-standard list, from facts.json."""
    return frozenset(facts_catalog()["fields"]["main_income_source"]["average_list_values"])


@cache
def _retirement(standard: Standard, year: int) -> dict[str, int]:
    return {sex: standard.retirement_age_months(year, sex) for sex in ("male", "female")}


@cache
def _texts_for(standard: Standard, area: str) -> _Texts:
    return _Texts(standard, area)


__all__ = ["InvalidFacts", "age_in_months", "assess", "evaluate"]
