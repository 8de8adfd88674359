"""Data builders every test package uses: household facts and API request bodies."""

from __future__ import annotations

import copy
from typing import Any


def adult(**changes: Any) -> dict[str, Any]:
    """A head of household with no deprivation of their own; ``changes`` override facts."""
    member = {
        "birth_date": "1985-03-04",
        "sex": "male",
        "relation": "head",
        "employment": "employed",
        "has_health_insurance": True,
        "disability": False,
        "in_school": False,
        "education_level": "upper_secondary",
        "in_training": False,
        "malnourished": False,
    }
    member.update(changes)
    return member


def _reference_year(period: object) -> int:
    if type(period) is not int:
        return 2026  # a period the test makes wrong on purpose
    return min(period, max(period - 1, 2026))


def household(period: int = 2026, **changes: Any) -> dict[str, Any]:
    """A one-person rural household with no deprivation, at 1,000,000 đồng a month; ages at
    1 October of the period (of 2026 up to period 2027, whose lists the end of 2026 draws up;
    of the year before a later period)."""
    facts = {
        "period": period,
        "reference_date": f"{_reference_year(period)}-10-01",
        "area": "rural",
        "monthly_income": 1_000_000,
        "members": [adult()],
        "housing": {
            "floor_area_m2": 40,
            "walls_durable": True,
            "columns_durable": True,
            "roof_durable": True,
        },
        "water": {"source": "piped"},
        "sanitation": {"latrine": "septic"},
        "information": {
            "uses_telecom": True,
            "uses_internet": True,
            "has_information_device": True,
        },
        "waste": {"collected_or_treated": True},
    }
    facts.update(copy.deepcopy(changes))
    return facts


def application_request(**changes: Any) -> dict[str, Any]:
    """A valid body for POST /api/v1/applications in Hà Nội (province 01)."""
    body = {
        "commune_code": "00070",
        "kind": "enter",
        "applicant": {
            "full_name": "Nguyễn Thị Lan",
            "citizen_id": "001190012345",
            "phone": "0912345678",
        },
        "household": household(),
        "consent": True,
    }
    body.update(copy.deepcopy(changes))
    return body
