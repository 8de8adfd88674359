"""Per-commune counts for a period (DESIGN §6), and the immutable snapshots the hub pulls.

Counts come from the tallies of the decided statuses and their deprivations (a few rows per
commune, kept by the decisions and imports) and one count over the open applications' index, so
a province of millions of households costs what its communes cost, not a scan of its households.
Reports (node.services.reports) render the very same rows, so node and hub figures agree by
construction.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import Application, is_open
from node.models.snapshots import CommuneHouseholdCount, Snapshot
from node.models.tallies import DeprivationTally, StatusTally
from node.services import aggregates_v2
from node.services.errors import ValidationFailed
from shared import units
from shared.moments import as_utc
from shared.schemas import COUNT_FIELDS, SCHEMA_VERSION, AggregateSnapshotSchema, snapshot_id_of
from shared.standards import UnknownStandard, standard_for

logger = logging.getLogger(__name__)

ON_THE_LISTS = ("poor", "near_poor")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def status_counts(session: Session, period: int) -> dict[str, dict[str, int]]:
    """Counts of decided statuses per commune: classes, areas, changes, minorities, members.

    Read from the tallies (node.models.tallies: one row per commune and class, kept by the
    decisions and imports that write statuses), so their cost follows the communes, not the
    households.
    """
    t = StatusTally
    query = select(
        t.commune_code,
        t.classification,
        t.households,
        t.urban,
        t.ethnic_minority,
        t.fell_back,
        t.newly_listed,
        t.was_poor,
        t.was_near_poor,
        t.members,
    ).where(t.period == period)
    counts: dict[str, dict[str, int]] = {}
    for (
        commune,
        cls,
        total,
        urban,
        minority,
        fell_back,
        new,
        was_poor,
        was_near,
        members,
    ) in session.execute(query):
        row = counts.setdefault(commune, dict.fromkeys(STATUS_FIELDS, 0))
        row["registered"] += total
        row[cls] += total
        if cls in ON_THE_LISTS:
            row[f"{cls}_urban"] += urban
            row[f"{cls}_rural"] += total - urban
            row[f"ethnic_minority_{cls}"] += minority
            row[f"new_{cls}"] += new
            row[f"members_{cls}"] += int(members)
        if cls == "poor":
            row["fell_back"] += fell_back
        else:
            row["exited_poor"] += was_poor
        if cls in ("average", "not_poor"):
            row["exited_near_poor"] += was_near
    return counts


STATUS_FIELDS = (
    "registered", "poor", "near_poor", "average", "not_poor", "poor_rural", "poor_urban",
    "near_poor_rural", "near_poor_urban", "new_poor", "new_near_poor", "exited_poor",
    "exited_near_poor", "fell_back", "ethnic_minority_poor", "ethnic_minority_near_poor",
    "members_poor", "members_near_poor",
)  # fmt: skip


def deprivation_counts(session: Session, period: int) -> dict[str, dict[str, int]]:
    """Poor and near-poor households deprived in each indicator, per commune (the tallies)."""
    t = DeprivationTally
    query = select(t.commune_code, t.indicator, t.households).where(t.period == period)
    counts: dict[str, dict[str, int]] = {}
    for commune, indicator, count in session.execute(query):
        counts.setdefault(commune, {})[indicator] = count
    return counts


def pending_counts(session: Session, period: int) -> dict[str, int]:
    """Applications for the period still in review, per commune.

    Only the open applications' partial index is read (commune, deadline, id, period: an
    index-only scan in commune order), never the applications' rows and their JSON.
    """
    query = (
        select(Application.commune_code, func.count())
        .where(is_open(), Application.period == period)
        .group_by(Application.commune_code)
    )
    return dict(session.execute(query).all())


def entered_household_totals(session: Session, period: int) -> dict[str, int]:
    """Resident households per commune as the province admin entered them for the period."""
    return dict(
        session.execute(
            select(CommuneHouseholdCount.commune_code, CommuneHouseholdCount.households).where(
                CommuneHouseholdCount.period == period
            )
        ).all()
    )


def commune_rows(
    session: Session,
    province_code: str,
    period: int,
    suppression_k: int | None = None,
    *,
    pending: bool = True,
) -> list[dict[str, Any]]:
    """One row per commune of the province, explicit zeros, in commune-code order
    (``pending`` False: without counting the open applications, which no report shows)."""
    standard = standard_for(period)
    indicators = [indicator.code for indicator in standard.indicators]
    statuses = status_counts(session, period)
    deprived = deprivation_counts(session, period)
    open_files = pending_counts(session, period) if pending else {}
    entered = entered_household_totals(session, period)
    rows = []
    for commune in units.communes(province_code):
        counts = dict.fromkeys(COUNT_FIELDS, 0)
        counts.update(statuses.get(commune.code, {}))
        # Without the admin's figure: the households the node registered for the period.
        registered = counts.pop("registered", 0)
        counts["households_total"] = entered.get(commune.code, registered)
        counts["applications_pending"] = open_files.get(commune.code, 0)
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


def snapshot_figures(
    session: Session,
    province_code: str,
    period: int,
    now: datetime,
    suppression_k: int | None = None,
) -> dict[str, Any]:
    """The period's snapshot content as of now, before ``official`` is decided (version 2). A
    period no poverty standard covers is refused (ValidationFailed): there is nothing to
    classify by."""
    try:
        standard = standard_for(period)
    except UnknownStandard:
        message = f"No poverty standard covers the period {period}."
        raise ValidationFailed(message, {"period": message}) from None
    rows = commune_rows(session, province_code, period, suppression_k)
    today = as_utc(now).astimezone(VIETNAM).date()
    return {
        "schema_version": SCHEMA_VERSION,
        "province_code": province_code,
        "period": period,
        "standard_id": standard.id,
        "suppression_k": suppression_k,
        "rows": aggregates_v2.add_v2_parts(session, rows, period, today, suppression_k),
        "official": None,
    }


def figures_hash(content: dict[str, Any]) -> str:
    """The hash of a snapshot's figures, whatever its ``official``: what a close approves."""
    return snapshot_id_of({**content, "official": None})


def build_snapshot(
    session: Session,
    province_code: str,
    period: int,
    now: datetime,
    suppression_k: int | None = None,
    figures: dict[str, Any] | None = None,
) -> Snapshot:
    """The period's snapshot as of now (``figures``, when the caller just computed them); the
    latest one again when nothing has changed (so the hub's ETag check gets a 304).

    It is official (``official`` set) while its figures are those of the period's latest close.
    """
    content = figures or snapshot_figures(session, province_code, period, now, suppression_k)
    content = {
        **content,
        "official": aggregates_v2.official_for(session, period, figures_hash(content)),
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
