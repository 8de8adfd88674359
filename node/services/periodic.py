"""The yearly periodic review (rà soát định kỳ, 1 September – 14 December by default).

Opening it lists every household on the commune's current lists (poor or near-poor in the
period before) for re-verification, as ``periodic`` applications for the new period; residents'
own applications for that period join the same queue. Each one then goes through the usual
steps, and the decisions give the transition counts (new, exited, fell back, unchanged).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationEvent
from node.models.households import Household, HouseholdStatus
from node.models.review import PeriodicReview, Verification
from node.services import audit
from node.services.calendar import due_date, load_calendar
from node.services.context import NodeContext
from node.services.errors import Conflict, ValidationFailed
from node.services.scopes import COMMUNE_OFFICER, Official, require_role
from node.services.search import index_new_applicants
from node.services.tracking import new_tracking_code

ON_THE_LISTS = ("poor", "near_poor")


@dataclass(frozen=True)
class OpenedReview:
    """The review opened, and how many listed households it queued."""

    review: PeriodicReview
    queued: int


def open_periodic_review(
    session: Session,
    official: Official,
    context: NodeContext,
    *,
    period: int,
    closes_on: date | None = None,
) -> OpenedReview:
    """Open the commune's periodic review for ``period`` (the year the new lists apply to)."""
    require_role(official, COMMUNE_OFFICER)
    window = context.review_window
    if not window.contains(context.today):
        raise Conflict("The periodic review can only be opened during its window.")
    if period != context.today.year + 1:
        raise ValidationFailed(
            "The periodic review draws up next year's lists.",
            {"period": f"expected {context.today.year + 1}"},
        )
    commune = official.commune_code
    if session.scalar(
        select(PeriodicReview.id).where(
            PeriodicReview.commune_code == commune, PeriodicReview.period == period
        )
    ):
        raise Conflict(f"The periodic review for {period} is already open.")
    closes_on = closes_on or date(context.today.year, *window.end)
    review = PeriodicReview(
        commune_code=commune,
        period=period,
        opened_on=context.today,
        closes_on=closes_on,
        opened_by=official.user_id,
    )
    session.add(review)
    queued: list[Application] = []
    for household, status in _listed_households(session, commune, period - 1):
        if _has_open_application(session, household, period):
            continue
        queued.append(_periodic_application(session, household, status, period, context))
    session.add_all(queued)
    session.flush()
    index_new_applicants(session, [(a.id, a.applicant_name) for a in queued])
    audit.record(
        session,
        official,
        "open_periodic_review",
        "periodic_review",
        None,
        context.now,
        details={"commune": commune, "period": period, "queued": len(queued)},
    )
    session.flush()
    return OpenedReview(review, len(queued))


def _listed_households(
    session: Session, commune: str, period: int
) -> list[tuple[Household, HouseholdStatus]]:
    return list(
        session.execute(
            select(Household, HouseholdStatus)
            .join(HouseholdStatus, HouseholdStatus.household_id == Household.id)
            .where(
                HouseholdStatus.commune_code == commune,
                HouseholdStatus.period == period,
                HouseholdStatus.classification.in_(ON_THE_LISTS),
            )
            .order_by(Household.id)
        )
    )


def _has_open_application(session: Session, household: Household, period: int) -> bool:
    return (
        session.scalar(
            select(Application.id).where(
                Application.household_id == household.id,
                Application.period == period,
                Application.status != "withdrawn",
            )
        )
        is not None
    )


def _periodic_application(
    session: Session,
    household: Household,
    status: HouseholdStatus,
    period: int,
    context: NodeContext,
) -> Application:
    """A re-review of a listed household, carrying its last verified facts as a starting point."""
    verification = session.scalar(
        select(Verification)
        .where(Verification.application_id == status.application_id)
        .order_by(Verification.id.desc())
        .limit(1)
    )
    facts = copy.deepcopy(verification.facts) if verification else {}
    facts["period"] = period
    # The assessment on file until the reviewer verifies again: the household's current class.
    carried = dict(verification.assessment) if verification else {}
    carried["classification"] = status.classification
    rules = context.rules
    application = Application(
        tracking_code=new_tracking_code(),
        kind="enter",
        channel="periodic",
        status="under_review",
        period=period,
        commune_code=household.commune_code,
        village_id=household.village_id,
        household_id=household.id,
        applicant_name=household.head_name,
        applicant_citizen_id=household.head_citizen_id,
        applicant_phone=household.phone or "",
        declared_facts=facts,
        standard_id=carried.get("standard_id", status.standard_id),
        self_assessment=carried,
        self_classification=status.classification,
        submitted_at=context.now,
        updated_at=context.now,
        due_on=due_date(
            load_calendar(session),
            context.today,
            rules.decision_days,
            working_days=rules.decision_in_working_days,
        ),
    )
    application.events.append(
        ApplicationEvent(
            at=context.now,
            action="open_periodic_review",
            from_status=None,
            to_status="under_review",
            actor_role="system",
        )
    )
    return application
