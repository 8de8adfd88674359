"""The review procedure's numbers as data (issue 14 part 4): every value names its legal basis,
says whether it is provisional, and is readable in Vietnamese and English; the values RULES §5
marks *verify* (or leaves unsaid) are provisional."""

from __future__ import annotations

import json

import pytest

from shared.procedure import (
    PROCEDURE_FILE,
    ProcedureDataError,
    _parse,
    procedure_value,
    procedure_values,
)

PROVISIONAL = {"posting_working_days", "decision_in_working_days",
               "monthly_report_day", "annual_report_due",
               "confirmation_decision_in_working_days"}  # fmt: skip
ASKED = {
    "posting_working_days", "decision_days", "meeting_agreement_percent",
    "periodic_review_window", "regular_review_start_day", "regular_review_needs_meeting",
}  # fmt: skip


def test_every_value_has_its_legal_basis_and_both_languages():
    values = procedure_values()
    assert len({entry.key for entry in values}) == len(values)
    assert {entry.key for entry in values} >= ASKED
    for entry in values:
        assert entry.document.strip(), entry.key
        assert entry.article is None or entry.article.startswith("Điều "), entry.key
        assert set(entry.label) == set(entry.unit) == {"vi", "en"}, entry.key
        if entry.provisional:
            assert entry.note, f"{entry.key}: a provisional value says why"


def test_the_unconfirmed_values_are_provisional():
    assert {entry.key for entry in procedure_values() if entry.provisional} == PROVISIONAL


def test_the_values_rules_states():
    assert procedure_value("periodic_review_window") == ["09-01", "12-14"]
    assert procedure_value("decision_days") == 15
    assert procedure_value("meeting_agreement_percent") == 50
    assert procedure_value("posting_working_days") == 3
    assert procedure_value("district_opinion_required") is False
    # The confirmations (procedure 1.011609): 5 working days posted, re-check in 3, 15 days.
    assert procedure_value("confirmation_posting_working_days") == 5
    assert procedure_value("confirmation_recheck_working_days") == 3
    assert procedure_value("confirmation_decision_days") == 15
    with pytest.raises(KeyError):
        procedure_value("no_such_rule")


def test_a_value_without_its_basis_is_refused():
    entry = json.loads(PROCEDURE_FILE.read_text(encoding="utf-8"))["values"][0]
    with pytest.raises(ProcedureDataError):
        _parse({**entry, "basis": {"document": "", "article": None}})
    with pytest.raises(ProcedureDataError):
        _parse({key: value for key, value in entry.items() if key != "provisional"})
