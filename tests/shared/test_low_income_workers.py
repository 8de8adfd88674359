"""Low-income workers in the engine (issue 14 §1, Decree 30/2025 amending Decree 07/2021 Art. 3):
the workers of a household that is neither poor nor near-poor whose income per person is at most
2,250,000 đ (rural) or 3,000,000 đ (urban); none under VN-2027-2030, which sets no such line."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.standards import StandardError, evaluate, get_standard, load_standard
from tests.builders import adult, household
from tests.shared.test_standards_properties import households, monthly_of, with_income


def three_adults(**changes) -> list[dict]:
    """A head in work, a spouse out of the labour force, an unemployed grown-up child."""
    return [
        adult(),
        adult(relation="spouse", sex="female", employment="not_in_labour_force", **changes),
        adult(relation="child", birth_date="2000-01-02", employment="unemployed"),
    ]


@pytest.mark.parametrize(
    ("area", "per_person", "workers"),
    [
        ("rural", 2_250_000, [0, 2]),  # at the line: "trở xuống" includes it
        ("rural", 2_250_001, []),
        ("rural", 1_500_001, [0, 2]),  # just above the poverty line: not near-poor any more
        ("rural", 1_500_000, []),  # at the poverty line: near-poor, on another list
        ("urban", 3_000_000, [0, 2]),
        ("urban", 3_000_001, []),
        ("urban", 2_000_000, []),  # near-poor in a town
        ("urban", 2_250_001, [0, 2]),  # above the rural line but within the urban one
    ],
)
def test_workers_are_counted_up_to_the_line_of_the_area(area, per_person, workers):
    facts = household(area=area, monthly_income=per_person * 3, members=three_adults())
    result = evaluate(facts)
    assert result["low_income_line"] == {"rural": 2_250_000, "urban": 3_000_000}[area]
    assert result["low_income_workers"] == workers
    assert result["classification"] not in ("poor", "near_poor") or not workers


def test_a_poor_household_has_no_low_income_workers():
    members = three_adults()
    members[0]["has_health_insurance"] = False
    facts = household(
        monthly_income=3_000_000,
        members=members,
        water={"source": "surface_water"},
        sanitation={"latrine": "none"},
    )
    result = evaluate(facts)
    assert result["classification"] == "poor"
    assert result["low_income_workers"] == []
    assert result["low_income_line"] == 2_250_000


@pytest.mark.parametrize(
    ("birth_date", "sex", "counted"),
    [
        ("2011-10-01", "male", True),  # 15 on the reference date: working age begins
        ("2011-10-02", "male", False),  # one day short of 15
        ("1965-04-02", "male", True),  # 61 years 5 months: under the 2026 age of 61y6m
        ("1965-04-01", "male", False),  # 61 years 6 months: retired
        ("1969-10-02", "female", True),  # 56 years 11 months: under the 2026 age of 57
        ("1969-10-01", "female", False),  # 57
    ],
)
def test_working_age_limits_decide_who_is_a_worker(birth_date, sex, counted):
    worker = adult(relation="other", birth_date=birth_date, sex=sex, employment="employed",
                   in_school=False)  # fmt: skip
    retired_head = adult(birth_date="1950-01-01", employment="not_in_labour_force")
    facts = household(monthly_income=4_000_000, members=[retired_head, worker])
    assert evaluate(facts)["low_income_workers"] == ([1] if counted else [])


@pytest.mark.parametrize(
    ("employment", "counted"),
    [("employed", True), ("employed_no_contract", True), ("unemployed", True),
     ("not_in_labour_force", False)],
)  # fmt: skip
def test_members_out_of_the_labour_force_are_not_workers(employment, counted):
    facts = household(monthly_income=2_000_000, members=[adult(employment=employment)])
    assert evaluate(facts)["low_income_workers"] == ([0] if counted else [])


def test_the_reason_says_how_many_and_under_which_line():
    result = evaluate(household(area="urban", monthly_income=8_000_000, members=three_adults()))
    reason = result["reasons"][-1]
    assert reason["code"] == "low_income_workers"
    assert "2 người lao động có thu nhập thấp" in reason["vi"]
    assert "3.000.000 đồng" in reason["vi"]
    assert "khu vực thành thị" in reason["vi"]
    assert "2 low-income worker(s)" in reason["en"]
    assert "3,000,000 VND" in reason["en"]
    none = evaluate(household(monthly_income=9_000_000))
    assert "low_income_workers" not in [r["code"] for r in none["reasons"]]


@pytest.mark.parametrize("period", [2027, 2030])
def test_the_2027_standard_has_no_low_income_line(period):
    facts = household(period=period, monthly_income=2_300_000)
    result = evaluate(facts)
    assert result["standard_id"] == "VN-2027-2030"
    assert result["low_income_line"] is None
    assert result["low_income_workers"] == []
    assert get_standard("VN-2027-2030").low_income_lines is None


def test_the_data_cites_its_basis_and_marks_the_worker_definition_provisional():
    data = get_standard("VN-2022-2025").to_json()
    assert "30/2025/NĐ-CP" in data["low_income_lines"]["basis"]["vi"]
    assert data["low_income_worker"]["provisional"] is True
    assert "Tạm thời" in data["low_income_worker"]["about"]["vi"]


def test_the_worker_definition_is_data():
    """Changing the rule in the standard's file changes who is counted: no code involved."""
    data = get_standard("VN-2022-2025").to_json()
    data["low_income_worker"]["rule"] = {"working_age": True}
    standard = load_standard(data)
    facts = household(monthly_income=6_000_000, members=three_adults())
    assert evaluate(facts, standard=standard)["low_income_workers"] == [0, 1, 2]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["low_income_lines"].update(rural=0),
        lambda d: d["low_income_lines"].pop("basis"),
        lambda d: d["low_income_lines"].pop("urban"),
        lambda d: d["low_income_worker"].update(rule={"fact": "salary", "equals": 1}),
        lambda d: d.pop("low_income_worker"),
    ],
)
def test_malformed_low_income_data_is_refused(change):
    data = copy.deepcopy(get_standard("VN-2022-2025").to_json())
    change(data)
    with pytest.raises(StandardError, match="low_income"):
        load_standard(data)


def test_a_local_standard_inherits_the_lines():
    local = load_standard({
        "id": "HN-2026", "extends": "VN-2022-2025", "province_code": "01",
        "name": {"vi": "Chuẩn nghèo Hà Nội", "en": "Hanoi poverty standard"},
        "source": {"vi": "Nghị quyết HĐND thành phố", "en": "City council resolution"},
        "income_lines": {"rural": 2_000_000, "urban": 2_500_000},
    })  # fmt: skip
    assert dict(local.low_income_lines) == {"rural": 2_250_000, "urban": 3_000_000}
    facts = household(monthly_income=6_300_000, members=three_adults())  # 2,100,000 a person
    result = evaluate(facts, standard=local)
    assert result["low_income_workers"] == [0, 2]
    # Near-poor under the local lines: no low-income workers there.
    poorer = evaluate(household(monthly_income=1_900_000), standard=local)
    assert poorer["classification"] == "near_poor"
    assert poorer["low_income_workers"] == []


@settings(max_examples=300)
@given(households())
def test_low_income_workers_are_working_members_of_a_household_in_the_band(facts):
    result = evaluate(facts)
    workers = result["low_income_workers"]
    assert workers == sorted(set(workers))
    assert all(0 <= index < len(facts["members"]) for index in workers)
    assert all(facts["members"][i]["employment"] != "not_in_labour_force" for i in workers)
    if workers:
        assert result["classification"] not in ("poor", "near_poor")
        assert result["income_line"] < result["income_per_capita"] <= result["low_income_line"]
        assert result["reasons"][-1]["code"] == "low_income_workers"
    if result["standard_id"] == "VN-2027-2030":
        assert result["low_income_line"] is None
        assert workers == []


@settings(max_examples=200)
@given(households(), st.integers(1, 10_000_000))
def test_income_above_the_line_leaves_no_low_income_worker(facts, raise_by):
    result = evaluate(facts)
    line = result["low_income_line"] or 0
    richer = evaluate(with_income(facts, max(monthly_of(facts), line * len(facts["members"]))
                                  + raise_by * len(facts["members"])))  # fmt: skip
    assert richer["low_income_workers"] == []
