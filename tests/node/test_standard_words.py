"""The 2027–2030 standard's words (issue 14 §5): Decree 351/2025 says "khu vực đô thị", Decree
07/2021 "khu vực thành thị"; the word follows the standard in the reasons, on the result page and
in every report, from the standards' data; the dependants rule is marked provisional there."""

from __future__ import annotations

import pytest

from node.services.reports import FORMS, build_report
from shared.standards import evaluate, get_standard, standard_for
from tests.builders import household


@pytest.mark.parametrize(
    ("period", "urban"), [(2026, "khu vực thành thị"), (2027, "khu vực đô thị")]
)
def test_the_reasons_name_the_area_as_the_standard_does(period, urban):
    result = evaluate(household(period=period, area="urban", monthly_income=500_000))
    income = next(reason for reason in result["reasons"] if reason["code"] == "income")
    assert f"chuẩn nghèo {urban} (" in income["vi"]
    assert standard_for(period).area_names["urban"]["vi"] == urban


def test_r1_names_its_area_columns_and_subtotals_in_the_period_s_words():
    labels_2026 = [c.label["vi"] for c in FORMS["R1"].columns(2026)]
    labels_2027 = [c.label["vi"] for c in FORMS["R1"].columns(2027)]

    assert "Hộ nghèo khu vực thành thị" in labels_2026
    assert "Hộ cận nghèo khu vực đô thị" in labels_2027
    assert not [label for label in labels_2027 if "thành thị" in label]
    assert "Hộ nghèo khu vực nông thôn" in labels_2027


def test_the_province_s_r1_subtotal_for_2027_says_do_thi(db_session):
    table = build_report(db_session, "R1", "01", 2027, "01")
    labels = [total["label"]["vi"] for total in table.totals]
    assert labels[:2] == ["Khu vực đô thị (phường)", "Khu vực nông thôn (xã, đặc khu)"]
    before = build_report(db_session, "R1", "01", 2026, "01")
    assert before.totals[0]["label"]["vi"] == "Khu vực thành thị (phường)"


def test_the_dependants_rule_of_2027_is_marked_provisional_with_what_is_confirmed():
    data = get_standard("VN-2027-2030").to_json()
    note = data["provisional_parts"]["dependents"]["vi"]
    assert "trợ cấp xã hội hằng tháng" in note
    assert note.startswith("Tạm thời")
    assert data["area_names"]["basis"]["vi"].startswith("Nghị định 351/2025/NĐ-CP")
