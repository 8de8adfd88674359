"""The poverty standards engine against the worked cases, an independent oracle and the edges."""

from __future__ import annotations

import json
import random

import pytest

from shared.standards import (
    InvalidFacts,
    evaluate,
    get_standard,
    national_standards,
    standard_for,
)
from shared.standards.synthetic import random_facts
from tests.builders import adult, household
from tests.shared.conftest import load_cases
from tests.shared.oracle import classify

CASES = load_cases()
SOURCES = ("agriculture", "forestry", "fishery", "salt", "other")
COMPARED = (
    "standard_id",
    "income_per_capita",
    "income_line",
    "deprivations",
    "deprivation_count",
    "deprivation_score",
    "classification",
    "average_livelihood",
    "low_income_line",
    "low_income_workers",
)


@pytest.mark.parametrize("case", CASES, ids=[case["note"][:60] for case in CASES])
def test_worked_case(case):
    result = evaluate(case["facts"])
    for key, expected in case["expected"].items():
        assert result[key] == expected, key


def test_there_are_worked_cases():
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[case["note"][:60] for case in CASES])
def test_oracle_agrees_with_worked_case(case):
    """The oracle is only worth its cross-check if it also passes the shared cases."""
    oracle = classify(case["facts"])
    for key, expected in case["expected"].items():
        assert oracle[key] == expected, key


@pytest.mark.parametrize("period", [2022, 2024, 2026, 2027, 2030])
def test_engine_matches_oracle_on_generated_households(period):
    rng = random.Random(period)
    classes = set()
    with_workers = 0
    for index in range(2000):
        facts = random_facts(rng, period)
        if index % 3:
            facts["main_income_source"] = SOURCES[index % len(SOURCES)]
        result = evaluate(facts)
        expected = classify(facts)
        assert {key: result[key] for key in COMPARED} == expected, facts
        classes.add(result["classification"])
        with_workers += bool(result["low_income_workers"])
    # The generator must reach every class the standard has, or the comparison proves little.
    assert classes >= {"poor", "near_poor", "not_poor"}
    assert (with_workers > 0) is (period <= 2026)


def test_output_is_json_ready_and_complete(facts):
    result = evaluate(facts)
    assert json.loads(json.dumps(result)) == result
    assert set(result) >= {
        "standard_id",
        "area",
        "income_per_capita",
        "income_line",
        "deprivations",
        "deprivation_count",
        "deprivation_score",
        "classification",
        "reasons",
    }


@pytest.mark.parametrize(
    ("period", "standard_id"),
    [(2022, "VN-2022-2025"), (2025, "VN-2022-2025"), (2026, "VN-2022-2025"), (2027, "VN-2027-2030")]
    + [(2030, "VN-2027-2030")],
)
def test_standard_for_period(period, standard_id):
    assert standard_for(period).id == standard_id
    assert evaluate(household(period=period))["standard_id"] == standard_id


def test_explicit_standard_overrides_the_period():
    """During 2026 the portal also shows the result under the 2027–2030 standard."""
    result = evaluate(household(period=2026, monthly_income=2_000_000), "VN-2027-2030")
    assert result["standard_id"] == "VN-2027-2030"
    assert result["income_line"] == 2_200_000
    assert result["classification"] == "near_poor"


def test_national_standards_are_shipped_with_sources():
    ids = [standard.id for standard in national_standards()]
    assert ids == ["VN-2022-2025", "VN-2027-2030"]
    assert "07/2021" in get_standard("VN-2022-2025").data["source"]["vi"]
    assert "351/2025" in get_standard("VN-2027-2030").data["source"]["vi"]


# --- classification at the lines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        (0, "near_poor"),
        (1_500_000, "near_poor"),
        (1_500_001, "average"),
        (2_250_000, "average"),
        (2_250_001, "not_poor"),
    ],
)
def test_rural_lines_2026(income, expected):
    assert evaluate(household(monthly_income=income))["classification"] == expected


@pytest.mark.parametrize(
    ("income", "expected"),
    [(2_000_000, "near_poor"), (2_000_001, "average"), (3_000_000, "average")]
    + [(3_000_001, "not_poor")],
)
def test_urban_lines_2026(income, expected):
    facts = household(area="urban", monthly_income=income)
    assert evaluate(facts)["classification"] == expected


def test_2027_has_no_average_class_until_its_line_is_published():
    facts = household(period=2027, monthly_income=2_200_001)
    result = evaluate(facts)
    assert result["classification"] == "not_poor"
    assert result["average_line"] is None


def test_three_deprivations_below_the_line_make_poor_two_do_not():
    two = household(water={"source": "surface_water"}, sanitation={"latrine": "none"})
    assert evaluate(two)["classification"] == "near_poor"
    three = household(
        water={"source": "surface_water"},
        sanitation={"latrine": "none"},
        information={"uses_telecom": False, "has_information_device": True},
    )
    result = evaluate(three)
    assert result["classification"] == "poor"
    assert result["deprivation_score"] == 30


def test_many_deprivations_above_the_line_are_not_poor():
    facts = household(
        monthly_income=5_000_000,
        water={"source": "surface_water"},
        sanitation={"latrine": "none"},
        information={"uses_telecom": False, "has_information_device": False},
    )
    result = evaluate(facts)
    assert result["deprivation_count"] == 4
    assert result["classification"] == "not_poor"


def test_income_per_person_rounds_down():
    facts = household(monthly_income=4_500_001, members=[adult(), adult(relation="spouse")])
    facts["members"].append(adult(relation="child", birth_date="1990-01-01"))
    assert evaluate(facts)["income_per_capita"] == 1_500_000


def test_annual_income_is_divided_by_twelve_then_by_members():
    facts = household(members=[adult(), adult(relation="spouse")])
    del facts["monthly_income"]
    facts["annual_income"] = 36_000_011
    assert evaluate(facts)["income_per_capita"] == 1_500_000


# --- each indicator at its edges ---------------------------------------------------------------


def deprivations(facts):
    return evaluate(facts)["deprivations"]


def with_members(*members, **changes):
    return household(members=[adult(), *members], **changes)


@pytest.mark.parametrize(
    ("birth_date", "deprived"),
    [("2020-10-01", True), ("2020-10-02", False)],
)
def test_health_insurance_from_full_six_years(birth_date, deprived):
    child = adult(relation="child", birth_date=birth_date, has_health_insurance=False)
    child.update(employment="not_in_labour_force", in_school=True, education_level="none")
    assert ("health_insurance" in deprivations(with_members(child))) is deprived


@pytest.mark.parametrize(
    ("birth_date", "deprived"),
    [("2023-10-01", True), ("2023-10-02", False), ("2010-10-02", True), ("2010-10-01", False)],
)
def test_child_schooling_from_three_to_under_sixteen(birth_date, deprived):
    child = adult(relation="child", birth_date=birth_date, in_school=False, education_level="none")
    child["employment"] = "not_in_labour_force"
    facts = with_members(child, adult(relation="spouse"))
    assert ("child_schooling" in deprivations(facts)) is deprived


@pytest.mark.parametrize(
    ("birth_date", "deprived"),
    [("2010-10-02", True), ("2010-10-01", False)],
)
def test_nutrition_counts_children_under_sixteen(birth_date, deprived):
    child = adult(relation="child", birth_date=birth_date, malnourished=True, in_school=True)
    child.update(employment="not_in_labour_force", education_level="lower_secondary")
    facts = with_members(child, adult(relation="spouse"))
    assert ("nutrition" in deprivations(facts)) is deprived


def test_dependents_need_more_than_half():
    old = adult(relation="parent", birth_date="1960-01-01", employment="not_in_labour_force")
    assert "dependents" not in deprivations(with_members(old))  # 1 of 2 is exactly half
    disabled = adult(relation="spouse", disability=True, employment="not_in_labour_force")
    assert "dependents" in deprivations(with_members(old, disabled))  # 2 of 3


@pytest.mark.parametrize(
    ("birth_date", "dependant"),
    [("1966-10-01", True), ("1966-10-02", False)],
)
def test_dependants_include_members_from_sixty(birth_date, dependant):
    elder = adult(relation="parent", birth_date=birth_date, employment="not_in_labour_force")
    child = adult(relation="child", birth_date="2015-01-01", in_school=True)
    child.update(employment="not_in_labour_force", education_level="primary")
    facts = with_members(elder, child)  # head + elder + child: 2 of 3 if the elder counts
    assert ("dependents" in deprivations(facts)) is dependant


@pytest.mark.parametrize(
    ("birth_date", "sex", "deprived"),
    [
        ("2011-10-01", "male", True),  # 15 today
        ("2011-10-02", "male", False),  # 14
        ("1965-04-02", "male", True),  # 61y5m in 2026: under 61y6m
        ("1965-04-01", "male", False),  # 61y6m: retirement age reached
        ("1969-10-02", "female", True),  # 56y11m in 2026: under 57y
        ("1969-10-01", "female", False),  # 57y
    ],
)
def test_employment_counts_working_age_only(birth_date, sex, deprived):
    member = adult(relation="other", birth_date=birth_date, sex=sex, employment="unemployed")
    member["education_level"] = "college_or_higher"
    assert ("employment" in deprivations(with_members(member))) is deprived


def test_employment_without_contract_is_a_deprivation():
    worker = adult(relation="spouse", employment="employed_no_contract")
    assert "employment" in deprivations(with_members(worker))
    assert "employment" not in deprivations(with_members(adult(relation="spouse")))


def test_retirement_age_rises_by_year():
    standard = get_standard("VN-2027-2030")
    assert standard.retirement_age_months(2021, "male") == 60 * 12 + 3
    assert standard.retirement_age_months(2028, "male") == 62 * 12
    assert standard.retirement_age_months(2040, "male") == 62 * 12
    assert standard.retirement_age_months(2035, "female") == 60 * 12
    assert standard.retirement_age_months(2010, "female") == 55 * 12 + 4


@pytest.mark.parametrize(
    ("birth_date", "level", "deprived"),
    [
        ("2009-10-01", "primary", True),  # 17, needs lower secondary
        ("2009-10-01", "lower_secondary", False),
        ("2008-10-01", "lower_secondary", True),  # 18, needs upper secondary
        ("2008-10-01", "vocational", False),  # vocational counts as upper secondary
        ("2008-10-01", "upper_secondary", False),
        ("1996-10-01", "primary", True),  # 30
        ("1995-10-01", "primary", False),  # 31
        ("2010-10-01", "none", True),  # 16
        ("2010-10-02", "none", False),  # 15: not yet counted
    ],
)
def test_adult_education_by_age(birth_date, level, deprived):
    member = adult(relation="child", birth_date=birth_date, education_level=level)
    assert ("adult_education" in deprivations(with_members(member))) is deprived


def test_adult_education_excuses_those_in_school_or_training():
    for excuse in ("in_school", "in_training"):
        member = adult(relation="child", birth_date="2005-01-01", education_level="primary")
        member[excuse] = True
        assert "adult_education" not in deprivations(with_members(member))


@pytest.mark.parametrize(
    ("walls", "columns", "roof", "deprived"),
    [
        (True, True, False, False),
        (True, False, False, True),
        (False, True, False, True),
        (False, False, True, True),
        (False, False, False, True),
    ],
)
def test_housing_quality_needs_two_of_three_weak(walls, columns, roof, deprived):
    housing = {"floor_area_m2": 40, "walls_durable": walls, "columns_durable": columns}
    housing["roof_durable"] = roof
    assert ("housing_quality" in deprivations(household(housing=housing))) is deprived


@pytest.mark.parametrize(("area", "deprived"), [(16, False), (15.9, True), (24.0, False)])
def test_housing_area_below_eight_square_metres_each(area, deprived):
    facts = with_members(adult(relation="spouse"))
    facts["housing"]["floor_area_m2"] = area
    assert ("housing_area" in deprivations(facts)) is deprived


@pytest.mark.parametrize(
    ("source", "deprived"),
    [("piped", False), ("rainwater", False), ("bottled", False), ("unprotected_spring", True)]
    + [("surface_water", True), ("other", True)],
)
def test_drinking_water(source, deprived):
    facts = household(water={"source": source})
    assert ("drinking_water" in deprivations(facts)) is deprived


@pytest.mark.parametrize(
    ("latrine", "deprived"),
    [("septic", False), ("ventilated_pit", False), ("open_pit", True), ("hanging", True)],
)
def test_sanitation(latrine, deprived):
    facts = household(sanitation={"latrine": latrine})
    assert ("sanitation" in deprivations(facts)) is deprived


def test_information_indicators_differ_between_standards():
    info = {"uses_telecom": False, "uses_internet": True, "has_information_device": False}
    assert deprivations(household(information=info)) == ["telecom", "information_access"]
    assert deprivations(household(period=2027, information=info)) == []
    info = {"uses_telecom": True, "uses_internet": False, "has_information_device": True}
    assert deprivations(household(period=2027, information=info)) == ["telecom"]


def test_waste_counts_only_from_2027():
    facts = household(waste={"collected_or_treated": False})
    assert deprivations(facts) == []
    facts["period"] = 2027
    assert deprivations(facts) == ["waste"]


def test_deprivations_come_in_legal_order():
    facts = household(
        members=[adult(has_health_insurance=False, employment="unemployed")],
        information={"uses_telecom": False, "has_information_device": False},
        water={"source": "surface_water"},
        housing={"floor_area_m2": 5, "walls_durable": False, "columns_durable": False}
        | {"roof_durable": True},
    )
    assert deprivations(facts) == [
        "employment",
        "health_insurance",
        "housing_quality",
        "housing_area",
        "drinking_water",
        "telecom",
        "information_access",
    ]


def test_reasons_explain_income_and_each_deprivation_in_both_languages():
    facts = household(monthly_income=1_200_000, water={"source": "surface_water"})
    reasons = evaluate(facts)["reasons"]
    codes = [reason["code"] for reason in reasons]
    assert codes == ["income", "drinking_water", "deprivations", "classification"]
    assert "1.200.000" in reasons[0]["vi"]
    assert "1.500.000" in reasons[0]["vi"]
    assert "1,200,000" in reasons[0]["en"]
    assert "nông thôn" in reasons[0]["vi"]
    assert "hộ cận nghèo" in reasons[-1]["vi"]
    assert all(reason["vi"] and reason["en"] for reason in reasons)


def test_reasons_are_fresh_objects_each_time(facts):
    first = evaluate(facts)["reasons"]
    first[0]["vi"] = "changed"
    first[-1]["vi"] = "changed"
    again = evaluate(facts)["reasons"]
    assert again[0]["vi"] != "changed"
    assert again[-1]["vi"] != "changed"


@pytest.mark.parametrize(
    ("source", "income", "listed"),
    [
        ("agriculture", 2_000_000, True),
        ("salt", 2_250_000, True),  # at the average line: still average ("trở xuống")
        ("other", 2_000_000, False),
        (None, 2_000_000, False),
        ("fishery", 1_500_000, False),  # near-poor or poor: another list
        ("forestry", 2_250_001, False),  # above the average line
    ],
)
def test_the_average_livelihood_list_needs_the_class_and_the_livelihood(source, income, listed):
    facts = household(period=2026, monthly_income=income, members=[adult()])
    if source is not None:
        facts["main_income_source"] = source
    assert evaluate(facts)["average_livelihood"] is listed


def test_a_livelihood_outside_the_list_of_values_is_refused():
    facts = household(period=2026, main_income_source="mining")
    with pytest.raises(InvalidFacts) as refused:
        evaluate(facts)
    assert set(refused.value.codes) == {"main_income_source"}
