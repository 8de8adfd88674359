"""Plausible random household facts, for benchmarks, cross-checks and the demo.

Every household produced is valid for its period's standard; the distributions are rough but keep
each indicator and class reachable (incomes cluster around the poverty lines on purpose).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from shared.standards.catalog import facts_catalog

_EDUCATION_BY_AGE = (
    (6, ["none"]),
    (11, ["none", "primary"]),
    (15, ["primary", "lower_secondary"]),
    (18, ["primary", "lower_secondary", "lower_secondary", "upper_secondary"]),
    (
        200,
        [
            "none",
            "primary",
            "lower_secondary",
            "upper_secondary",
            "vocational",
            "college_or_higher",
        ],
    ),
)


def _birth_date(rng: random.Random, reference: date, age: int) -> date:
    return reference - timedelta(days=age * 365 + rng.randrange(365))


def _education(rng: random.Random, age: int) -> str:
    for below, levels in _EDUCATION_BY_AGE:
        if age < below:
            return rng.choice(levels)
    raise AssertionError("unreachable: the last band covers every age")


def random_member(rng: random.Random, reference: date, relation: str, age: int) -> dict[str, Any]:
    """One member of the given age and relation, with facts drawn around typical rates."""
    child = age < 16
    if 15 <= age < 62:
        employment = rng.choices(
            ["employed", "employed_no_contract", "unemployed", "not_in_labour_force"],
            weights=[70, 12, 6, 12],
        )[0]
    else:
        employment = "not_in_labour_force"
    return {
        "birth_date": _birth_date(rng, reference, age).isoformat(),
        "sex": rng.choice(["male", "female"]),
        "relation": relation,
        "employment": employment,
        "has_health_insurance": rng.random() < 0.9,
        "disability": rng.random() < 0.04,
        "in_school": (3 <= age < 19 and rng.random() < 0.9)
        or (19 <= age < 24 and rng.random() < 0.3),
        "education_level": _education(rng, age),
        "in_training": 16 <= age <= 30 and rng.random() < 0.08,
        "malnourished": child and rng.random() < 0.08,
    }


def random_facts(
    rng: random.Random,
    period: int = 2026,
    *,
    income_line: int | None = None,
    area: str | None = None,
) -> dict[str, Any]:
    """A valid household for ``period``, its income per person spread around ``income_line``;
    in ``area`` (a node gives its unit's), else one drawn at the country's urban share."""
    reference = date(period - 1, 10, 1) if period >= 2027 else date(period, 10, 1)
    drawn = rng.choices(["rural", "urban"], weights=[65, 35])[0]
    area = area or drawn  # drawn either way: the same seed gives the same households
    size = rng.choices(range(1, 9), weights=[8, 18, 20, 24, 15, 8, 4, 3])[0]
    head_age = rng.randint(20, 85)
    members = [random_member(rng, reference, "head", head_age)]
    for _ in range(size - 1):
        relation = rng.choices(
            ["spouse", "child", "parent", "grandchild", "other"], weights=[30, 45, 10, 10, 5]
        )[0]
        age = {
            "spouse": max(16, head_age + rng.randint(-8, 8)),
            "child": max(0, head_age - rng.randint(18, 40)),
            "parent": min(105, head_age + rng.randint(18, 35)),
            "grandchild": max(0, head_age - rng.randint(40, 60)),
            "other": rng.randint(0, 90),
        }[relation]
        members.append(random_member(rng, reference, relation, age))
    line = income_line or (1_500_000 if period <= 2026 else 2_200_000)
    per_person = max(0, int(rng.lognormvariate(0, 0.6) * line))
    catalog = facts_catalog()["fields"]
    facts: dict[str, Any] = {
        "period": period,
        "reference_date": reference.isoformat(),
        "area": area,
        "members": members,
        "housing": {
            "floor_area_m2": round(rng.uniform(4, 30) * size, 1),
            "walls_durable": rng.random() < 0.8,
            "columns_durable": rng.random() < 0.85,
            "roof_durable": rng.random() < 0.8,
        },
        "water": {"source": rng.choice(catalog["water.source"]["values"])},
        "sanitation": {"latrine": rng.choice(catalog["sanitation.latrine"]["values"])},
        "information": {
            "uses_telecom": rng.random() < 0.9,
            "uses_internet": rng.random() < 0.75,
            "has_information_device": rng.random() < 0.9,
        },
        "waste": {"collected_or_treated": rng.random() < 0.7},
    }
    if rng.random() < 0.2:
        facts["annual_income"] = per_person * size * 12 + rng.randrange(12)
    else:
        facts["monthly_income"] = per_person * size
    return facts
