"""The confirmations of issue 14 §1: a farming, forestry, fishery or salt household with an
average living standard (Decision 24/2021 Art. 3 cl. 2, Art. 6; procedure 1.011609) and
low-income workers (Decree 30/2025 Art. 1 cl. 3, which follows the same procedure).

What the chair may recognise: an `average` request only when the verified assessment puts the
household on the average-livelihood list, a `low_income` one only when it names low-income
workers; otherwise the chair refuses it with written reasons. The workflow (no village meeting,
the longer posting) is node.services.workflow's table; the paper is the decision Mẫu 02.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from node.models.applications import CONFIRMATION_KINDS
from node.services.errors import Refusal

# Why a confirmation may not be recognised, by kind (English; the pages translate the code).
NOT_QUALIFYING = {
    "average": (
        "not_average_livelihood",
        "Application {application}: the verified household is not a farming, forestry, fishery "
        "or salt household with an average living standard; refuse it with written reasons.",
    ),
    "low_income": (
        "no_low_income_workers",
        "Application {application}: the verification found no low-income worker in the "
        "household; refuse it with written reasons.",
    ),
}


def low_income_workers(assessment: Mapping[str, Any]) -> list[int]:
    """The members (0-based indexes into the facts' members) the engine found to be low-income
    workers; none where the engine does not say."""
    return [int(index) for index in assessment.get("low_income_workers") or []]


def qualifies(kind: str, assessment: Mapping[str, Any]) -> bool:
    """Whether a verified assessment lets the chair recognise a request of ``kind``."""
    if kind == "average":
        return bool(assessment.get("average_livelihood"))
    if kind == "low_income":
        return bool(low_income_workers(assessment))
    return True


def recognition_refusal(
    kind: str, assessment: Mapping[str, Any], application_id: int
) -> Refusal | None:
    """Why the chair may not recognise this confirmation, or None when they may (any other
    kind: None)."""
    if kind not in CONFIRMATION_KINDS or qualifies(kind, assessment):
        return None
    code, text = NOT_QUALIFYING[kind]
    return Refusal(text.format(application=application_id), code)
