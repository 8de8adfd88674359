"""Bad facts raise InvalidFacts naming every bad field — never KeyError, TypeError or a default."""

from __future__ import annotations

import pytest

from shared.standards import InvalidFacts, evaluate
from tests.builders import adult, household


def invalid_fields(facts, standard_id=None):
    with pytest.raises(InvalidFacts) as caught:
        evaluate(facts, standard_id)
    return caught.value


def test_not_an_object():
    assert invalid_fields([1, 2]).fields == {"facts": "Must be an object."}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"surname": "Nguyễn"}, "surname"),
        ({"housing": {"floor_area_m2": 40, "walls_durable": True, "columns_durable": True}}, None),
    ],
)
def test_unknown_and_missing_fields(change, path):
    facts = household(**change)
    error = invalid_fields(facts)
    if path:
        assert error.codes[path] == "unknown"
    else:
        assert error.codes == {"housing.roof_durable": "required"}


def test_unknown_fields_inside_groups_and_members():
    facts = household()
    facts["water"]["colour"] = "clear"
    facts["members"][0]["nickname"] = "Tí"
    assert invalid_fields(facts).codes == {
        "water.colour": "unknown",
        "members.0.nickname": "unknown",
    }


def test_missing_group_names_the_group_and_its_fields():
    facts = household()
    del facts["water"]
    codes = invalid_fields(facts).codes
    assert codes == {"water": "required", "water.source": "required"}


def test_every_bad_field_is_named_at_once():
    facts = household(period="2026", area="city", monthly_income=-5)
    facts["members"][0]["birth_date"] = "04/03/1985"
    facts["members"][0]["has_health_insurance"] = "yes"
    facts["housing"]["floor_area_m2"] = 0
    facts["sanitation"] = "septic"
    assert invalid_fields(facts).codes == {
        "period": "integer",
        "area": "enum",
        "monthly_income": "negative",
        "members.0.birth_date": "date",
        "members.0.has_health_insurance": "boolean",
        "housing.floor_area_m2": "positive",
        "sanitation": "object",
    }


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ([], "no_members"),
        ("three people", "list"),
        ([adult(relation="spouse")], "head_count"),
        ([adult(), adult()], "head_count"),
        ([adult()] * 51, "too_many_members"),
    ],
)
def test_members_must_be_a_list_with_exactly_one_head(members, code):
    assert invalid_fields(household(members=members)).codes == {"members": code}


def test_member_that_is_not_an_object():
    assert invalid_fields(household(members=[adult(), "child"])).codes == {"members.1": "object"}


def test_birth_after_reference_date():
    facts = household(members=[adult(), adult(relation="child", birth_date="2026-10-02")])
    assert invalid_fields(facts).codes == {"members.1.birth_date": "birth_after_reference"}


def test_missing_member_fact():
    member = adult(relation="spouse")
    del member["education_level"]
    facts = household(members=[adult(), member])
    assert invalid_fields(facts).fields == {"members.1.education_level": "This is required."}


def test_both_incomes_name_both_fields():
    facts = household(annual_income=12_000_000)
    assert invalid_fields(facts).codes == {
        "monthly_income": "both_incomes",
        "annual_income": "both_incomes",
    }


def test_no_income():
    facts = household()
    del facts["monthly_income"]
    assert invalid_fields(facts).codes == {"monthly_income": "income_missing"}


@pytest.mark.parametrize(
    ("value", "code"),
    [(1.5, "whole_dong"), ("1000000", "integer"), (True, "integer"), (float("nan"), "integer")],
)
def test_income_must_be_whole_dong(value, code):
    assert invalid_fields(household(monthly_income=value)).codes == {"monthly_income": code}


def test_integral_float_income_is_accepted():
    assert evaluate(household(monthly_income=1_000_000.0))["income_per_capita"] == 1_000_000


@pytest.mark.parametrize(
    ("period", "code"),
    [(2019, "period_unsupported"), (1999, "range"), (None, "integer"), (2026.0, "integer")],
)
def test_period(period, code):
    assert invalid_fields(household(period=period)).codes == {"period": code}


def test_missing_period():
    facts = household()
    del facts["period"]
    assert invalid_fields(facts).codes == {"period": "required"}


def test_unsupported_period_still_names_other_bad_fields():
    facts = household(period=2040, area="moon")
    assert invalid_fields(facts).codes == {"period": "period_unsupported", "area": "enum"}


@pytest.mark.parametrize("value", ["2026-13-01", "2026/10/01", "20261001", 20261001])
def test_reference_date_must_be_a_real_iso_date(value):
    assert invalid_fields(household(reference_date=value)).codes == {"reference_date": "date"}


def test_reference_date_defaults_to_today():
    facts = household()
    del facts["reference_date"]
    assert evaluate(facts)["classification"] == "near_poor"


def test_facts_only_one_standard_uses_are_required_by_that_standard_only():
    facts = household()
    del facts["waste"]
    del facts["information"]["uses_internet"]
    assert evaluate(facts)["standard_id"] == "VN-2022-2025"
    facts["period"] = 2027
    assert invalid_fields(facts).codes == {
        "waste": "required",
        "waste.collected_or_treated": "required",
        "information.uses_internet": "required",
    }
    facts = household(period=2027)
    del facts["information"]["has_information_device"]
    del facts["information"]["uses_telecom"]
    assert evaluate(facts)["standard_id"] == "VN-2027-2030"


def test_present_but_unused_facts_must_still_be_well_formed():
    facts = household(waste={"collected_or_treated": "sometimes"})
    assert invalid_fields(facts).codes == {"waste.collected_or_treated": "boolean"}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("sex", "m", "enum"),
        ("relation", "cousin", "enum"),
        ("employment", ["employed"], "enum"),
        ("education_level", None, "enum"),
        ("disability", 0, "boolean"),
        ("birth_date", "1985-02-30", "date"),
    ],
)
def test_member_field_values(field, value, code):
    facts = household(members=[adult(), adult(**{"relation": "spouse", field: value})])
    assert invalid_fields(facts).codes == {f"members.1.{field}": code}


def test_bad_relation_does_not_also_claim_a_head_problem():
    facts = household(members=[adult(relation="boss")])
    assert invalid_fields(facts).codes == {"members.0.relation": "enum"}


@pytest.mark.parametrize(
    ("value", "code"),
    [(-1, "negative"), (0, "positive"), ("40", "number"), (float("inf"), "number")],
)
def test_floor_area(value, code):
    facts = household()
    facts["housing"]["floor_area_m2"] = value
    assert invalid_fields(facts).codes == {"housing.floor_area_m2": code}


def test_messages_in_vietnamese():
    facts = household()
    del facts["monthly_income"]
    error = invalid_fields(facts)
    assert error.messages("vi") == {
        "monthly_income": "Nhập thu nhập của cả gia đình, ví dụ 4.500.000 đồng mỗi tháng."
    }
    assert "monthly_income" in str(error)


def test_invalid_facts_leave_the_input_untouched(facts):
    facts["members"][0]["sex"] = "x"
    snapshot = repr(facts)
    invalid_fields(facts)
    assert repr(facts) == snapshot
