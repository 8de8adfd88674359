"""Standards are data: the shipped files load, bad data is refused, local standards extend."""

from __future__ import annotations

import copy
import json

import pytest

from shared.standards import (
    StandardError,
    UnknownStandard,
    evaluate,
    get_standard,
    load_standard,
    standard_for,
)
from shared.standards.catalog import DATA_DIR
from tests.builders import household


def shipped(standard_id: str) -> dict:
    return json.loads((DATA_DIR / f"{standard_id}.json").read_text(encoding="utf-8"))


def test_shipped_files_define_the_legal_indicators_in_order():
    old = [i["code"] for i in shipped("VN-2022-2025")["indicators"]]
    assert old == [
        "employment",
        "dependents",
        "nutrition",
        "health_insurance",
        "adult_education",
        "child_schooling",
        "housing_quality",
        "housing_area",
        "drinking_water",
        "sanitation",
        "telecom",
        "information_access",
    ]
    new = [i["code"] for i in shipped("VN-2027-2030")["indicators"]]
    assert "information_access" not in new
    assert new[-1] == "waste"


def test_every_indicator_has_texts_in_both_languages():
    for standard_id in ("VN-2022-2025", "VN-2027-2030"):
        for indicator in get_standard(standard_id).indicators:
            for texts in (indicator.name, indicator.reason, indicator.evidence):
                assert texts["vi"]
                assert texts["en"]


def test_facts_each_standard_needs_are_derived_from_its_rules():
    old, new = get_standard("VN-2022-2025"), get_standard("VN-2027-2030")
    assert "information.has_information_device" in old.household_facts
    assert "waste.collected_or_treated" not in old.household_facts
    assert "waste.collected_or_treated" in new.household_facts
    assert "information.uses_internet" in new.household_facts
    assert "information.uses_telecom" not in new.household_facts
    assert {"birth_date", "sex", "employment", "education_level"} <= old.member_facts


def test_unknown_standard_and_period():
    with pytest.raises(UnknownStandard):
        get_standard("VN-1990")
    with pytest.raises(UnknownStandard):
        standard_for(2021)
    with pytest.raises(UnknownStandard):
        evaluate(household(), "VN-1990")


def test_to_json_is_a_copy():
    standard = get_standard("VN-2022-2025")
    data = standard.to_json()
    data["income_lines"]["rural"] = 1
    assert standard.to_json()["income_lines"]["rural"] == 1_500_000


def mutated(change) -> dict:
    data = shipped("VN-2022-2025")
    data["id"] = "TEST"
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), "unexpected keys"),
        (lambda d: d["income_lines"].pop("urban"), "income_lines"),
        (lambda d: d["income_lines"].update(rural=-1), "income_lines.rural"),
        (lambda d: d["average_lines"].update(rural=1_000_000), "average_lines"),
        (lambda d: d["indicators"][0].update(dimension="fun"), "indicators.0.dimension"),
        (lambda d: d["indicators"][0]["reason"].pop("vi"), "indicators.0.reason"),
        (lambda d: d["indicators"][1].update(code="employment"), "unique"),
        (lambda d: d["indicators"][8]["rule"].update(fact="water.colour"), "water.colour"),
        (lambda d: d["indicators"][8]["rule"].update(not_in=["lemonade"]), "values outside"),
        (lambda d: d["indicators"][0].update(rule={"any_member": {"fact": "mood"}}), "mood"),
        (lambda d: d["indicators"][0].update(rule={"any_member": {"age": {"min": -1}}}), "age"),
        (lambda d: d["indicators"][0].update(rule={"eval": "1"}), "unknown rule"),
        (lambda d: d["indicators"][7]["rule"].update(below=0), "below"),
        (lambda d: d["indicators"][1]["rule"].update(more_than=2), "more_than"),
        (lambda d: d["working_age"]["retirement_age"].pop("female"), "retirement_age"),
        (lambda d: d["periods"].update(to=2000), "periods.to"),
    ],
)
def test_bad_standard_data_is_refused_with_its_place(change, message):
    with pytest.raises(StandardError, match=message):
        load_standard(mutated(change))


def test_rule_values_cannot_inject_code():
    data = mutated(lambda d: None)
    data["indicators"][8]["rule"] = {"fact": "water.source", "equals": "piped') or ('x"}
    with pytest.raises(StandardError):
        load_standard(data)
    data["indicators"][0]["rule"] = {
        "any_member": {"fact": "relation", "equals": "__import__('os').system('false')"}
    }
    with pytest.raises(StandardError):
        load_standard(data)


def test_a_changed_rule_changes_the_result():
    """Rules are data: tightening the floor-area line changes the classification."""
    data = mutated(lambda d: d["indicators"][7]["rule"].update(below=50))
    standard = load_standard(data)
    assert evaluate(household(), standard=standard)["deprivations"] == ["housing_area"]
    assert evaluate(household())["deprivations"] == []


def local(**changes) -> dict:
    data = {
        "id": "HN-2026",
        "extends": "VN-2022-2025",
        "province_code": "01",
        "name": {"vi": "Chuẩn nghèo Hà Nội", "en": "Hanoi poverty standard"},
        "source": {"vi": "Nghị quyết HĐND thành phố", "en": "City council resolution"},
        "income_lines": {"rural": 2_000_000, "urban": 2_500_000},
    }
    data.update(changes)
    return data


def test_local_standard_with_higher_lines_gives_a_second_classification():
    standard = load_standard(local())
    assert standard.kind == "local"
    assert [i.code for i in standard.indicators] == [
        i.code for i in get_standard("VN-2022-2025").indicators
    ]
    facts = household(monthly_income=1_800_000)
    national = evaluate(facts)
    local_result = evaluate(facts, standard=standard)
    assert national["classification"] == "average"
    assert local_result["classification"] == "near_poor"
    assert local_result["standard_id"] == "HN-2026"
    assert local_result["income_line"] == 2_000_000


def test_local_standard_cannot_lower_lines_or_change_rules():
    with pytest.raises(StandardError, match="below the national"):
        load_standard(local(income_lines={"rural": 1_000_000, "urban": 2_500_000}))
    with pytest.raises(StandardError, match="may not change"):
        load_standard(local(indicators=[]))
    with pytest.raises(StandardError, match="province_code"):
        load_standard(local(province_code=None))
    with pytest.raises(UnknownStandard):
        load_standard(local(extends="VN-1990"))


def test_loading_does_not_alias_the_input():
    data = local()
    original = copy.deepcopy(data)
    standard = load_standard(data)
    data["income_lines"]["rural"] = 9
    assert standard.income_lines["rural"] == 2_000_000
    assert data != original
