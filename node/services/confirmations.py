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
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import CONFIRMATION_KINDS, Application
from node.models.review import Decision, DecisionItem
from node.models.units import Village
from node.services import audit
from node.services.certificates import PRINTERS
from node.services.context import NodeContext
from node.services.errors import NotFound, Refusal
from node.services.scopes import Official, require_role
from node.services.steps import latest_verification, scoped_application

# The audit log's action for a printed Mẫu 02 (its details name the kind).
PRINT_ACTION = "print_confirmation_decision"

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


# ----------------------------------------------------------------- the decision, Mẫu số 02


@dataclass(frozen=True)
class RecognisedRow:
    """One line of the list attached to the decision (Điều 1)."""

    application_id: int
    head_name: str
    village_name: str | None
    members: int
    # For low-income workers: their names, as verified.
    workers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfirmationDecision:
    """What the chair's decision Mẫu số 02 shows: the decision and the households it
    recognises of one kind."""

    decision_id: int
    kind: str
    number: str
    decided_on: date
    period: int
    commune_code: str
    rows: list[RecognisedRow]


def confirmation_decision(
    session: Session, official: Official, decision_id: int, kind: str, context: NodeContext
) -> ConfirmationDecision:
    """The decision's recognised households of ``kind`` as Mẫu 02 lists them: NotFound when
    the decision has none, or is not the official's commune's; a read of personal data, so it
    goes in the audit log (node.services.access_report expands it to those households)."""
    require_role(official, *PRINTERS)
    decision = session.get(Decision, decision_id)
    if kind not in CONFIRMATION_KINDS or decision is None:
        raise NotFound("No such decision.")
    ids = printed_applications(session, decision.id, kind)
    if not ids:
        raise NotFound("This decision recognises no household of that kind.")
    # Every household must be in the official's area, or the paper is not theirs to see.
    applications = [scoped_application(session, official, app_id) for app_id in ids]
    villages = {
        v.id: v.name
        for v in session.scalars(
            select(Village).where(Village.id.in_({a.village_id for a in applications}))
        )
    }
    rows = [_row(session, application, villages) for application in applications]
    audit.record(
        session,
        official,
        PRINT_ACTION,
        "decision",
        decision.id,
        context.now,
        details={"kind": kind},
    )
    return ConfirmationDecision(
        decision_id=decision.id,
        kind=kind,
        number=decision.number,
        decided_on=decision.decided_on,
        period=applications[0].period,
        commune_code=decision.commune_code,
        rows=rows,
    )


def _row(session: Session, application: Application, villages: dict[int, str]) -> RecognisedRow:
    verification = latest_verification(session, application)
    members = verification.facts["members"]
    identities = verification.identities
    head = next(
        (identities[i]["full_name"] for i, m in enumerate(members) if m["relation"] == "head"),
        application.applicant_name,
    )
    workers = (
        tuple(
            identities[i]["full_name"]
            for i in low_income_workers(verification.assessment)
            if 0 <= i < len(identities)
        )
        if application.kind == "low_income"
        else ()
    )
    return RecognisedRow(
        application_id=application.id,
        head_name=head,
        village_name=villages.get(application.village_id) if application.village_id else None,
        members=len(members),
        workers=workers,
    )


def printed_applications(session: Session, decision_id: int, kind: str) -> list[int]:
    """The applications a printed Mẫu 02 named (for the access report)."""
    return list(
        session.scalars(
            select(DecisionItem.application_id)
            .join(Application, Application.id == DecisionItem.application_id)
            .where(
                DecisionItem.decision_id == decision_id,
                DecisionItem.outcome == "recognised",
                Application.kind == kind,
            )
            .order_by(DecisionItem.id)
        )
    )
