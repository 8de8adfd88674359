"""What version 2 of the snapshot adds to each commune's row (DESIGN §6): the review's activity,
for the hub's signals, and the projection of the households whose facts the node holds under the
next national standard (in 2026: VN-2027-2030), for the planning question of the year.

Kept apart from node.services.aggregates, whose rows the reports render too: the reports do not
pay for the projection. Counts only, like the rest of the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.households import HouseholdStatus
from node.models.review import Meeting, MeetingVote, Verification
from node.models.snapshots import PeriodClose
from node.services.workflow import OPEN_STATUSES
from shared.schemas.aggregates import ACTIVITY_FIELDS, CURRENT_FIELDS, PROJECTED_FIELDS
from shared.standards import InvalidFacts, Standard, evaluate, national_standards, standard_for

ON_THE_LISTS = ("poor", "near_poor")
# Facts are read and classified in batches: a province's households never sit in memory at once.
BATCH = 2000


def next_standard(period: int) -> Standard | None:
    """The national standard after the one of ``period`` (None when none is known)."""
    current = standard_for(period)
    later = [s for s in national_standards() if s.period_from > current.period_to]
    return min(later, key=lambda s: s.period_from) if later else None


def _latest_verifications() -> Any:
    """Each application's latest verification (its id), as a subquery."""
    return (
        select(Verification.application_id, func.max(Verification.id).label("verification_id"))
        .group_by(Verification.application_id)
        .subquery()
    )


def activity_counts(session: Session, period: int, today: date) -> dict[str, dict[str, int]]:
    """Per commune: applications received, verified (and of those, whose class the verification
    changed from the self-assessment), village-meeting votes (and unanimous ones), and open
    applications past their decision deadline, for the period."""
    counts: dict[str, dict[str, int]] = {}

    def add(rows: Iterable[Any], *names: str) -> None:
        for commune, *values in rows:
            row = counts.setdefault(commune, dict.fromkeys(ACTIVITY_FIELDS, 0))
            for name, value in zip(names, values, strict=True):
                row[name] += value

    a = Application
    add(
        session.execute(select(a.commune_code, func.count()).where(a.period == period)
                        .group_by(a.commune_code)),
        "applications_received",
    )  # fmt: skip
    latest = _latest_verifications()
    add(
        session.execute(
            select(
                a.commune_code,
                func.count(),
                func.count().filter(Verification.classification != a.self_classification),
            )
            .join(latest, latest.c.application_id == a.id)
            .join(Verification, Verification.id == latest.c.verification_id)
            .where(a.period == period)
            .group_by(a.commune_code)
        ),
        "verified",
        "verified_class_changed",
    )
    add(
        session.execute(
            select(
                a.commune_code,
                func.count(),
                func.count().filter(MeetingVote.agreeing >= Meeting.attendees),
            )
            .join(MeetingVote, MeetingVote.application_id == a.id)
            .join(Meeting, Meeting.id == MeetingVote.meeting_id)
            .where(a.period == period)
            .group_by(a.commune_code)
        ),
        "meeting_votes",
        "meeting_votes_unanimous",
    )
    add(
        session.execute(
            select(a.commune_code, func.count())
            .where(a.period == period, a.status.in_(OPEN_STATUSES), a.due_on < today)
            .group_by(a.commune_code)
        ),
        "applications_overdue",
    )
    return counts


def _empty_projection(standard: Standard, later: Standard) -> dict[str, Any]:
    return {
        "standard_id": later.id,
        **dict.fromkeys(PROJECTED_FIELDS, 0),
        "deprived": {indicator.code: 0 for indicator in later.indicators},
        "current": {
            **dict.fromkeys(CURRENT_FIELDS, 0),
            "deprived": {indicator.code: 0 for indicator in standard.indicators},
        },
    }


def projected_counts(session: Session, period: int) -> dict[str, dict[str, Any]]:
    """Per commune, the period's recognised households whose verified facts the node holds,
    classified under the next national standard beside their class today; {} when no later
    standard is known.

    A household imported from an earlier list has no facts here and is left out; so is one
    whose facts lack what the next standard asks (e.g. the waste question before 2026's forms
    asked it): ``households`` counts those assessed.
    """
    later = next_standard(period)
    if later is None:
        return {}
    standard = standard_for(period)
    latest = _latest_verifications()
    query = (
        select(HouseholdStatus.commune_code, HouseholdStatus.classification, Verification.facts)
        .join(latest, latest.c.application_id == HouseholdStatus.application_id)
        .join(Verification, Verification.id == latest.c.verification_id)
        .where(HouseholdStatus.period == period)
        .order_by(HouseholdStatus.id)
        .execution_options(yield_per=BATCH)
    )
    counts: dict[str, dict[str, Any]] = {}
    for commune, classification, facts in session.execute(query):
        try:
            projected = evaluate(facts, later.id)
            today = evaluate(facts, standard.id)
        except InvalidFacts:
            continue
        row = counts.setdefault(commune, _empty_projection(standard, later))
        row["households"] += 1
        if projected["classification"] in ON_THE_LISTS:
            row[projected["classification"]] += 1
        if classification in ON_THE_LISTS:
            row["current"][classification] += 1
        for code in projected["deprivations"]:
            row["deprived"][code] += 1
        for code in today["deprivations"]:
            row["current"]["deprived"][code] += 1
    return counts


def add_v2_parts(
    session: Session,
    rows: list[dict[str, Any]],
    period: int,
    today: date,
    suppression_k: int | None = None,
) -> list[dict[str, Any]]:
    """The rows with each commune's ``activity`` and ``projected`` (explicit zeros; projected is
    null when no later standard is known), small cells suppressed as the counts of v1 are."""
    activity = activity_counts(session, period, today)
    projected = projected_counts(session, period)
    later = next_standard(period)
    empty = _empty_projection(standard_for(period), later) if later else None
    for row in rows:
        code = row["commune_code"]
        row["activity"] = activity.get(code, dict.fromkeys(ACTIVITY_FIELDS, 0))
        row["projected"] = projected.get(code, empty and _copy(empty))
        if suppression_k:
            _suppress_v2(row, suppression_k)
    return rows


def _copy(projection: dict[str, Any]) -> dict[str, Any]:
    return {
        **projection,
        "deprived": dict(projection["deprived"]),
        "current": {**projection["current"], "deprived": dict(projection["current"]["deprived"])},
    }


def _suppress_v2(row: dict[str, Any], k: int) -> None:
    """Withhold the v2 counts from 1 to k-1, named by their dotted path; zeros stay."""

    def withhold(counts: dict[str, Any], names: Iterable[str], prefix: str) -> None:
        for name in names:
            if 0 < counts[name] < k:
                counts[name] = None
                row["suppressed"].append(f"{prefix}{name}")

    withhold(row["activity"], ACTIVITY_FIELDS, "activity.")
    projected = row["projected"]
    if projected is None:
        return
    # The number of households assessed is a denominator, like households_total: it stays.
    withhold(projected, CURRENT_FIELDS, "projected.")
    withhold(projected["deprived"], list(projected["deprived"]), "projected.deprived.")
    current = projected["current"]
    withhold(current, CURRENT_FIELDS, "projected.current.")
    withhold(current["deprived"], list(current["deprived"]), "projected.current.deprived.")


def official_for(session: Session, period: int, figures_hash: str) -> dict[str, Any] | None:
    """The snapshot's ``official``: the period's latest close, while the figures are the ones it
    approved; None before any close, and as soon as the figures change after it (until the
    province closes again, as a new revision)."""
    close = session.scalar(
        select(PeriodClose)
        .where(PeriodClose.period == period)
        .order_by(PeriodClose.revision.desc())
        .limit(1)
    )
    if close is None or close.figures_hash != figures_hash:
        return None
    return {
        "decision_number": close.decision_number,
        "decided_on": close.decided_on.isoformat(),
        "revision": close.revision,
    }
