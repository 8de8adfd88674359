"""Per-commune counts for a period (DESIGN §6), and the immutable snapshots the hub pulls.

Counts come from three GROUP BY queries over the decided statuses, their deprivations and the
open applications — set-based, so a province of millions of households costs a few scans, not a
Python loop. Reports (node.services.reports) render the very same rows, so node and hub figures
agree by construction.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.households import Household, HouseholdStatus, StatusDeprivation
from node.models.snapshots import CommuneHouseholdCount, Snapshot
from shared import units
from shared.schemas import COUNT_FIELDS, SCHEMA_VERSION, AggregateSnapshotSchema, snapshot_id_of
from shared.standards import standard_for

logger = logging.getLogger(__name__)

OPEN_STATUSES = ("submitted", "under_review", "meeting_held", "posted")
ON_THE_LISTS = ("poor", "near_poor")


def _count_if(condition: Any, value: Any = 1) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0).cast(Integer)


def status_counts(session: Session, period: int) -> dict[str, dict[str, int]]:
    """Counts of decided statuses per commune: classes, areas, changes, minorities, members."""
    s, h = HouseholdStatus, Household
    poor, near = s.classification == "poor", s.classification == "near_poor"
    rural, urban = h.area == "rural", h.area == "urban"
    was_poor, was_near = (
        s.previous_classification == "poor",
        s.previous_classification == "near_poor",
    )
    new_to = {
        cls: or_(s.previous_classification.is_(None), s.previous_classification != cls)
        for cls in ("poor", "near_poor")
    }
    columns = {
        "poor": _count_if(poor),
        "near_poor": _count_if(near),
        "average": _count_if(s.classification == "average"),
        "not_poor": _count_if(s.classification == "not_poor"),
        "poor_rural": _count_if(and_(poor, rural)),
        "poor_urban": _count_if(and_(poor, urban)),
        "near_poor_rural": _count_if(and_(near, rural)),
        "near_poor_urban": _count_if(and_(near, urban)),
        "new_poor": _count_if(and_(poor, new_to["poor"], not_(s.fell_back))),
        "new_near_poor": _count_if(and_(near, new_to["near_poor"])),
        "exited_poor": _count_if(and_(was_poor, not_(poor))),
        "exited_near_poor": _count_if(
            and_(was_near, s.classification.in_(("average", "not_poor")))
        ),
        "fell_back": _count_if(s.fell_back),
        "ethnic_minority_poor": _count_if(and_(poor, h.ethnic_minority)),
        "ethnic_minority_near_poor": _count_if(and_(near, h.ethnic_minority)),
        "members_poor": _count_if(poor, s.members_count),
        "members_near_poor": _count_if(near, s.members_count),
    }
    query = (
        select(s.commune_code, *(column.label(name) for name, column in columns.items()))
        .join(h, h.id == s.household_id)
        .where(s.period == period)
        .group_by(s.commune_code)
    )
    return {
        row.commune_code: {name: row._mapping[name] for name in columns}
        for row in session.execute(query)
    }


def deprivation_counts(session: Session, period: int) -> dict[str, dict[str, int]]:
    """Poor and near-poor households deprived in each indicator, per commune."""
    s, d = HouseholdStatus, StatusDeprivation
    query = (
        select(s.commune_code, d.indicator, func.count())
        .join(d, d.status_id == s.id)
        .where(s.period == period, s.classification.in_(ON_THE_LISTS))
        .group_by(s.commune_code, d.indicator)
    )
    counts: dict[str, dict[str, int]] = {}
    for commune, indicator, count in session.execute(query):
        counts.setdefault(commune, {})[indicator] = count
    return counts


def pending_counts(session: Session, period: int) -> dict[str, int]:
    """Applications for the period still in review, per commune."""
    query = (
        select(Application.commune_code, func.count())
        .where(Application.period == period, Application.status.in_(OPEN_STATUSES))
        .group_by(Application.commune_code)
    )
    return dict(session.execute(query).all())


def household_totals(session: Session, period: int) -> dict[str, int]:
    """Resident households per commune: entered by the province admin, else the registered."""
    registered = dict(
        session.execute(
            select(Household.commune_code, func.count()).group_by(Household.commune_code)
        ).all()
    )
    entered = dict(
        session.execute(
            select(CommuneHouseholdCount.commune_code, CommuneHouseholdCount.households).where(
                CommuneHouseholdCount.period == period
            )
        ).all()
    )
    return registered | entered


def commune_rows(
    session: Session, province_code: str, period: int, suppression_k: int | None = None
) -> list[dict[str, Any]]:
    """One row per commune of the province, explicit zeros, in commune-code order."""
    standard = standard_for(period)
    indicators = [indicator.code for indicator in standard.indicators]
    statuses = status_counts(session, period)
    deprived = deprivation_counts(session, period)
    pending = pending_counts(session, period)
    totals = household_totals(session, period)
    rows = []
    for commune in units.communes(province_code):
        counts = dict.fromkeys(COUNT_FIELDS, 0)
        counts.update(statuses.get(commune.code, {}))
        counts["households_total"] = totals.get(commune.code, 0)
        counts["applications_pending"] = pending.get(commune.code, 0)
        by_indicator = deprived.get(commune.code, {})
        row = {
            "commune_code": commune.code,
            **counts,
            "deprived": {code: by_indicator.get(code, 0) for code in indicators},
            "suppressed": [],
        }
        if suppression_k:
            _suppress(row, suppression_k)
        rows.append(row)
    return rows


def _suppress(row: dict[str, Any], k: int) -> None:
    """Withhold counts from 1 to k-1 (small cells can identify a household); zeros stay."""
    for name in COUNT_FIELDS:
        if name != "households_total" and 0 < row[name] < k:
            row[name] = None
            row["suppressed"].append(name)
    for code, value in row["deprived"].items():
        if 0 < value < k:
            row["deprived"][code] = None
            row["suppressed"].append(f"deprived.{code}")


def build_snapshot(
    session: Session,
    province_code: str,
    period: int,
    now: datetime,
    suppression_k: int | None = None,
) -> Snapshot:
    """The period's snapshot as of now; the latest one again when nothing has changed (so the
    hub's ETag check gets a 304)."""
    content = {
        "schema_version": SCHEMA_VERSION,
        "province_code": province_code,
        "period": period,
        "standard_id": standard_for(period).id,
        "suppression_k": suppression_k,
        "rows": commune_rows(session, province_code, period, suppression_k),
    }
    snapshot_id = snapshot_id_of(content)
    latest = latest_snapshot(session, period)
    if latest is not None and latest.snapshot_id == snapshot_id:
        return latest
    document = {**content, "snapshot_id": snapshot_id, "generated_at": now.isoformat()}
    # Dumped through the wire schema: only its fields can ever reach the body.
    body = json.dumps(
        AggregateSnapshotSchema().dump(document), ensure_ascii=False, separators=(",", ":")
    )
    snapshot = Snapshot(
        period=period,
        snapshot_id=snapshot_id,
        standard_id=content["standard_id"],
        generated_at=now,
        body=body,
    )
    session.add(snapshot)
    session.flush()
    logger.info("snapshot %s built for %s", snapshot_id[:12], period)
    return snapshot


def latest_snapshot(session: Session, period: int) -> Snapshot | None:
    """The newest snapshot of the period."""
    return session.scalar(
        select(Snapshot).where(Snapshot.period == period).order_by(Snapshot.id.desc()).limit(1)
    )
