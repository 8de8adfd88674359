"""Invariants of the engine over generated households (hypothesis)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.standards import InvalidFacts, evaluate, facts_catalog, get_standard
from tests.shared.oracle import classify

CATALOG = facts_catalog()
# Lower is poorer: the order a household can move along as its situation changes.
SEVERITY = {"poor": 0, "near_poor": 1, "average": 2, "not_poor": 3}
REFERENCE = date(2026, 10, 1)


def enum(path: str, member: bool = False) -> st.SearchStrategy[str]:
    spec = CATALOG["member_fields" if member else "fields"][path]
    return st.sampled_from(spec["values"])


members_strategy = st.fixed_dictionaries(
    {
        "birth_date": st.integers(0, 100 * 365).map(
            lambda days: (REFERENCE - timedelta(days=days)).isoformat()
        ),
        "sex": enum("sex", True),
        "relation": st.sampled_from(["spouse", "child", "parent", "grandchild", "other"]),
        "employment": enum("employment", True),
        "has_health_insurance": st.booleans(),
        "disability": st.booleans(),
        "in_school": st.booleans(),
        "education_level": enum("education_level", True),
        "in_training": st.booleans(),
        "malnourished": st.booleans(),
    }
)


@st.composite
def households(draw: st.DrawFn) -> dict:
    members = draw(st.lists(members_strategy, min_size=1, max_size=12))
    members[0] = {**members[0], "relation": "head"}
    facts = {
        # Both standards; the reference date (2026) falls in the period or the year before.
        "period": draw(st.sampled_from([2026, 2027])),
        "reference_date": REFERENCE.isoformat(),
        "area": draw(enum("area")),
        "members": members,
        "housing": {
            "floor_area_m2": draw(st.floats(0.5, 500, allow_nan=False)),
            "walls_durable": draw(st.booleans()),
            "columns_durable": draw(st.booleans()),
            "roof_durable": draw(st.booleans()),
        },
        "water": {"source": draw(enum("water.source"))},
        "sanitation": {"latrine": draw(enum("sanitation.latrine"))},
        "information": {
            "uses_telecom": draw(st.booleans()),
            "uses_internet": draw(st.booleans()),
            "has_information_device": draw(st.booleans()),
        },
        "waste": {"collected_or_treated": draw(st.booleans())},
    }
    income = draw(st.integers(0, 40_000_000))
    if draw(st.booleans()):
        facts["monthly_income"] = income
    else:
        facts["annual_income"] = income * 12 + draw(st.integers(0, 11))
    return facts


def with_income(facts: dict, monthly: int) -> dict:
    changed = copy.deepcopy(facts)
    changed.pop("annual_income", None)
    changed["monthly_income"] = monthly
    return changed


def monthly_of(facts: dict) -> int:
    return facts.get("monthly_income", facts.get("annual_income", 0) // 12)


@settings(max_examples=300)
@given(households(), st.integers(1, 10_000_000))
def test_raising_income_never_makes_a_household_poorer(facts, raise_by):
    before = evaluate(facts)
    after = evaluate(with_income(facts, monthly_of(facts) + raise_by))
    assert SEVERITY[after["classification"]] >= SEVERITY[before["classification"]]
    assert after["deprivations"] == before["deprivations"]


DEPRIVING_CHANGES = [
    ("water", {"source": "surface_water"}),
    ("sanitation", {"latrine": "none"}),
    ("housing", {"walls_durable": False, "columns_durable": False}),
    ("information", {"uses_telecom": False, "uses_internet": False}),
    ("information", {"has_information_device": False}),
    ("waste", {"collected_or_treated": False}),
]


@settings(max_examples=300)
@given(households(), st.sampled_from(DEPRIVING_CHANGES))
def test_adding_a_deprivation_never_makes_a_household_less_poor(facts, change):
    group, values = change
    before = evaluate(facts)
    worse = copy.deepcopy(facts)
    worse[group].update(values)
    after = evaluate(worse)
    assert set(after["deprivations"]) >= set(before["deprivations"])
    assert SEVERITY[after["classification"]] <= SEVERITY[before["classification"]]


@settings(max_examples=300)
@given(households())
def test_assessment_is_consistent(facts):
    result = evaluate(facts)
    standard = get_standard(result["standard_id"])
    codes = [indicator.code for indicator in standard.indicators]
    assert result["deprivations"] == [code for code in codes if code in result["deprivations"]]
    assert result["deprivation_count"] == len(result["deprivations"])
    assert result["deprivation_score"] == 10 * result["deprivation_count"]
    is_poor = result["income_per_capita"] <= result["income_line"] and (
        result["deprivation_count"] >= 3
    )
    assert (result["classification"] == "poor") == is_poor
    assert json.loads(json.dumps(result)) == result
    assert evaluate(facts) == result  # deterministic


@settings(max_examples=300)
@given(households())
def test_engine_agrees_with_the_independent_oracle(facts):
    result = evaluate(facts)
    assert {key: result[key] for key in classify(facts)} == classify(facts)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def field_paths(facts: dict) -> list[tuple]:
    paths = []
    for key, value in facts.items():
        if isinstance(value, dict):
            paths.extend((key, inner) for inner in value)
        elif key == "members":
            paths.extend(("members", i, name) for i, m in enumerate(value) for name in m)
        else:
            paths.append((key,))
    return paths


@settings(max_examples=500)
@given(households(), st.data())
def test_any_corrupted_field_is_named_or_accepted_never_a_crash(facts, data):
    path = data.draw(st.sampled_from(field_paths(facts)))
    value = data.draw(json_values)
    target = facts
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    try:
        evaluate(facts)
    except InvalidFacts as error:
        dotted = ".".join(str(step) for step in path)
        assert error.fields, "InvalidFacts must name at least one field"
        named = set(error.fields)
        # The corrupted field (or its member list, for a head problem) is among those named.
        assert dotted in named or "members" in named or path[0] in named, (dotted, named)


@settings(max_examples=300)
@given(json_values)
def test_arbitrary_json_is_rejected_cleanly(value):
    # Nothing this small can be a whole household, so it must be refused, and refused cleanly.
    with pytest.raises(InvalidFacts) as caught:
        evaluate(value)
    assert caught.value.fields
