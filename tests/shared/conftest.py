"""Fixtures for the shared package: the worked cases and a household builder."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

CASES_FILE = Path(__file__).resolve().parents[3] / "shared" / "domain" / "cases" / "cases.json"


def load_cases() -> list[dict[str, Any]]:
    """The worked classification cases shared with the whole team (../shared/domain/cases)."""
    with CASES_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


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


def household(period: int = 2026, **changes: Any) -> dict[str, Any]:
    """A one-person rural household with no deprivation, at 1,000,000 đồng a month."""
    facts = {
        "period": period,
        "reference_date": "2026-10-01",
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


@pytest.fixture
def facts() -> dict[str, Any]:
    return household()
