"""The commune chair's decision: recognise or refuse, record the household's status, certify.

Recognising an application writes the household (from the verification: its members' names and
ID numbers) and its status for the period — the rows every report and aggregate is computed
from — and issues the certificate (Mẫu 03) to a poor or near-poor household that asked to enter
the lists. A confirmation (an average living standard, low-income workers) is recognised only
when its verification qualifies it, and gets no certificate: its paper is the decision, Mẫu 02.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.households import Household, HouseholdStatus, Member, StatusDeprivation
from node.models.review import Certificate, Decision, DecisionItem, Verification
from node.models.units import Village
from node.services.confirmations import recognition_refusal
from node.services.context import NodeContext
from node.services.errors import (
    GuardRefused,
    HouseholdsRefused,
    Refusal,
    StaleVersion,
    ValidationFailed,
)
from node.services.identity import normalize_text
from node.services.places import area_at
from node.services.scopes import Official
from node.services.steps import latest_verification, move, scoped_application
from node.services.tallies import tally_status
from node.services.workflow import Permit, authorize, require_action_role
from shared import units
from shared.standards import parse_date

logger = logging.getLogger(__name__)

CERTIFICATE_SUFFIX = "GCN-HN.HCN"
ON_THE_LISTS = ("poor", "near_poor")
MAJORITY = ("kinh",)


@dataclass(frozen=True)
class DecisionLine:
    """One household in a decision: its application, the outcome, reasons for a refusal, and
    the application's version when the form was opened (a stale one changes nothing)."""

    application_id: int
    outcome: str  # "recognised" or "refused"
    reasons: str | None = None
    version: int | None = None


def decide(
    session: Session,
    official: Official,
    context: NodeContext,
    *,
    number: str,
    decided_on: date,
    lines: Sequence[DecisionLine],
) -> Decision:
    """Record the chair's decision on posted applications (a batch; the number may be reused
    for more lines on another call the same day, as one decision often lists many households)."""
    require_action_role(official, "decide")
    number = normalize_text(number or "")
    fields: dict[str, str] = {}
    if not number:
        fields["number"] = "the decision number is required"
    if not lines:
        fields["lines"] = "list at least one household"
    for index, line in enumerate(lines):
        if line.outcome not in ("recognised", "refused"):
            fields[f"lines.{index}.outcome"] = "recognised or refused"
        elif line.outcome == "refused" and not normalize_text(line.reasons or ""):
            fields[f"lines.{index}.reasons"] = "a refusal needs written reasons"
    if fields:
        raise ValidationFailed("The decision is not complete.", fields)
    if len({line.application_id for line in lines}) != len(lines):
        raise ValidationFailed("A household is listed twice.", {"lines": "duplicate household"})
    decidable = _all_decidable(session, official, lines, context, decided_on)
    decision = session.scalar(
        select(Decision).where(
            Decision.commune_code == official.commune_code, Decision.number == number
        )
    )
    if decision is None:
        decision = Decision(
            commune_code=official.commune_code,
            number=number,
            decided_on=decided_on,
            chair_id=official.user_id,
            recorded_at=context.now,
        )
        session.add(decision)
    elif decision.decided_on != decided_on:
        raise ValidationFailed(
            "That decision number was used on another date.", {"number": "already used"}
        )
    for (application, permit), line in zip(decidable, lines, strict=True):
        _decide_one(session, permit, context, decision, application, line)
    session.flush()
    logger.info("decision %s: %d households", decision.id, len(lines))
    return decision


def _all_decidable(
    session: Session,
    official: Official,
    lines: Sequence[DecisionLine],
    context: NodeContext,
    decided_on: date,
) -> list[tuple[Application, Permit]]:
    """Every line's application and permit; if any may not be decided now, HouseholdsRefused
    naming each of them and why (not only the first), so the chair sees the whole list."""
    decidable, refusals = [], {}
    for line in lines:
        try:
            decidable.append(_decidable(session, official, line, context, decided_on))
        except StaleVersion as error:
            refusals[line.application_id] = Refusal(str(error), "stale")
        except GuardRefused as error:
            refusals[line.application_id] = error.refusal
    if refusals:
        reasons = " ".join(f"{refusal}" for refusal in refusals.values())
        raise HouseholdsRefused(f"Not decided, nothing changed: {reasons}", refusals)
    return decidable


def _decidable(
    session: Session,
    official: Official,
    line: DecisionLine,
    context: NodeContext,
    decided_on: date,
) -> tuple[Application, Permit]:
    """The line's application and the policy's permit to decide it on ``decided_on``: posted,
    the posting over by the server's clock and dated after it, no duplicate open, the district
    opinion in when it is asked; a confirmation recognised only when its verification
    qualifies it (node.services.confirmations)."""
    application = scoped_application(session, official, line.application_id)
    permit = authorize(session, official, application, "decide", context,
                       version=line.version, on=decided_on)  # fmt: skip
    if line.outcome == "recognised":
        assessment = latest_verification(session, application).assessment
        refusal = recognition_refusal(application.kind, assessment, application.id)
        if refusal is not None:
            raise GuardRefused(str(refusal), refusal)
    return application, permit


def _decide_one(
    session: Session,
    permit: Permit,
    context: NodeContext,
    decision: Decision,
    application: Application,
    line: DecisionLine,
) -> None:
    verification = latest_verification(session, application)
    classification = verification.classification
    item = DecisionItem(
        application_id=application.id,
        outcome=line.outcome,
        classification=classification if line.outcome == "recognised" else None,
        reasons=normalize_text(line.reasons) if line.reasons else None,
    )
    decision.items.append(item)
    session.flush()
    application.outcome = line.outcome
    note = f"{decision.number}: {line.outcome}"
    move(session, application, permit, "decided", context, note=note)
    if line.outcome == "refused":
        return
    household = upsert_household(session, application, verification)
    application.household_id = household.id
    status = set_status(session, household, application, verification, item, decision.decided_on)
    if application.kind == "enter" and status.classification in ON_THE_LISTS:
        issue_certificate(session, household, item, status, decision.decided_on)


def upsert_household(
    session: Session, application: Application, verification: Verification
) -> Household:
    """The household as verified: found by its head's citizen ID in the commune, else new."""
    facts = verification.facts
    identities = verification.identities
    head_index = next(i for i, m in enumerate(facts["members"]) if m["relation"] == "head")
    head = identities[head_index]
    head_id = head["citizen_id"] or application.applicant_citizen_id
    area = area_at(session, application.commune_code, application.village_id)
    household = session.scalar(
        select(Household).where(
            Household.head_citizen_id == head_id,
            Household.commune_code == application.commune_code,
        )
    )
    if household is None:
        household = Household(commune_code=application.commune_code, head_citizen_id=head_id)
        session.add(household)
    household.village_id = application.village_id
    household.area = area
    household.head_name = head["full_name"]
    household.address = verification.head_address
    household.phone = application.applicant_phone
    # An ethnic-minority household (hộ dân tộc thiểu số) is one whose head is of a minority.
    ethnicity = head.get("ethnicity")
    household.ethnic_minority = bool(ethnicity) and ethnicity.casefold() not in MAJORITY
    household.updated_at = verification.verified_at
    household.members.clear()
    session.flush()
    # Positions from 1; the assessment names the low-income workers by index from 0.
    workers = set(verification.assessment.get("low_income_workers", ()))
    for position, (member, identity) in enumerate(
        zip(facts["members"], identities, strict=True), start=1
    ):
        household.members.append(
            Member(
                position=position,
                full_name=identity["full_name"],
                citizen_id=identity["citizen_id"],
                birth_date=parse_date(member["birth_date"]),
                sex=member["sex"],
                relation=member["relation"],
                ethnicity=identity.get("ethnicity"),
                low_income_worker=position - 1 in workers,
            )
        )
    session.flush()
    return household


def set_status(
    session: Session,
    household: Household,
    application: Application,
    verification: Verification,
    item: DecisionItem,
    decided_on: date,
) -> HouseholdStatus:
    """The household's recognised class for the application's period, with where it came from."""
    period = application.period
    earlier = list(
        session.scalars(
            select(HouseholdStatus)
            .where(HouseholdStatus.household_id == household.id, HouseholdStatus.period < period)
            .order_by(HouseholdStatus.period)
        )
    )
    previous = earlier[-1].classification if earlier else None
    classification = verification.classification
    # Tái nghèo: poor again after having been poor and then out of poverty. An imported status
    # carries the class of the year before its own (previous_classification): that counts too.
    was_poor = any("poor" in (s.classification, s.previous_classification) for s in earlier)
    was_poor_then_out = was_poor and previous != "poor"
    status = session.scalar(
        select(HouseholdStatus).where(
            HouseholdStatus.household_id == household.id, HouseholdStatus.period == period
        )
    )
    if status is None:
        status = HouseholdStatus(household_id=household.id, period=period)
        session.add(status)
    else:
        tally_status(session, status, -1)  # decided again: its earlier counts go
    status.commune_code = household.commune_code
    status.classification = classification
    status.standard_id = verification.standard_id
    status.previous_classification = previous
    status.fell_back = classification == "poor" and was_poor_then_out
    status.area = household.area
    status.ethnic_minority = household.ethnic_minority
    # Only households on the lists are counted by indicator (R3, the snapshot's "deprived").
    listed = classification in ON_THE_LISTS
    status.deprivations = [
        StatusDeprivation(indicator=code, period=period, commune_code=household.commune_code)
        for code in verification.assessment["deprivations"]
        if listed
    ]
    status.members_count = len(verification.facts["members"])
    status.average_livelihood = bool(verification.assessment.get("average_livelihood"))
    status.low_income_workers = len(verification.assessment.get("low_income_workers", ()))
    status.application_id = application.id
    status.decision_item_id = item.id
    status.decided_on = decided_on
    session.flush()
    tally_status(session, status, 1)
    return status


def issue_certificate(
    session: Session,
    household: Household,
    item: DecisionItem,
    status: HouseholdStatus,
    issued_on: date,
) -> Certificate:
    """Mẫu 03, numbered in the commune per period: ``12/GCN-HN.HCN``."""
    sequence = (
        session.scalar(
            select(func.max(Certificate.sequence)).where(
                Certificate.commune_code == household.commune_code,
                Certificate.period == status.period,
            )
        )
        or 0
    ) + 1
    certificate = Certificate(
        household_id=household.id,
        decision_item_id=item.id,
        commune_code=household.commune_code,
        period=status.period,
        sequence=sequence,
        number=f"{sequence}/{CERTIFICATE_SUFFIX}",
        classification=status.classification,
        issued_on=issued_on,
        verification_code=secrets.token_urlsafe(18),
    )
    session.add(certificate)
    session.flush()
    return certificate


def verify_certificate(session: Session, code: str) -> dict[str, object] | None:
    """What the public may learn from a certificate's QR code: that it is genuine, and its
    number, class, period and commune (no names: the paper in hand shows those)."""
    certificate = session.scalar(select(Certificate).where(Certificate.verification_code == code))
    if certificate is None:
        return None
    village = None
    household = session.get(Household, certificate.household_id)
    if household and household.village_id:
        village = session.get(Village, household.village_id)
    current = session.scalar(
        select(HouseholdStatus).where(
            HouseholdStatus.household_id == certificate.household_id,
            HouseholdStatus.period == certificate.period,
        )
    )
    return {
        "number": certificate.number,
        "classification": certificate.classification,
        "period": certificate.period,
        "issued_on": certificate.issued_on.isoformat(),
        "commune": units.commune(certificate.commune_code).name,
        "village": village.name if village else None,
        "still_valid": current is not None and current.classification == certificate.classification,
    }
