"""The new standard's impact (issue 16): for the current period, today's figures beside the
projection under the next national standard (in 2026: Decree 351/2025's VN-2027-2030), per
province and nationally, and which indicators drive the difference.

The nodes classify, for the households whose verified facts they hold, both ways — under the
period's standard (the baseline) and the next — and send the counts only (schema v2,
``projected``); so the comparison is on the same households, and no personal data crosses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.models.snapshots import Snapshot, SnapshotDeprivation
from hub.services import stats
from shared.standards import get_standard, standard_for


def projected_standard(session: Session, period: int) -> str | None:
    """The id of the standard the nodes' projection for the period is under (None: none)."""
    return session.scalar(
        select(Snapshot.projected_standard_id)
        .where(
            Snapshot.id.in_(stats.snapshot_ids(period)),
            Snapshot.projected_standard_id.is_not(None),
        )
        .limit(1)
    )


def impact(
    session: Session, period: int, level: str, code: str | None = None
) -> list[dict[str, Any]]:
    """Per unit with node figures: today's poor and near-poor, and for the households assessed,
    the baseline (today's standard) and the projection (the next), with their rates of the
    households assessed."""
    items = []
    for item in stats.stats(session, period=period, level=level, code=code):
        if item["source"] != stats.NODE:
            continue
        assessed = item["projected_households"]
        before_poor, after_poor = item["projected_current_poor"], item["projected_poor"]
        before_near, after_near = item["projected_current_near_poor"], item["projected_near_poor"]
        items.append(
            {
                **stats.with_rates(item),
                "assessed": assessed,
                "baseline_poor": before_poor,
                "baseline_near_poor": before_near,
                "baseline_poor_rate": stats.rate(before_poor, assessed),
                "projected_poor_rate": stats.rate(after_poor, assessed),
                "baseline_near_poor_rate": stats.rate(before_near, assessed),
                "projected_near_poor_rate": stats.rate(after_near, assessed),
                "change_poor": _difference(after_poor, before_poor),
                "change_near_poor": _difference(after_near, before_near),
            }
        )
    return items


def drivers(session: Session, period: int, code: str | None = None) -> list[dict[str, Any]]:
    """Per indicator of either standard: the assessed households deprived in it under the
    period's standard and under the next, and the difference, largest first — the indicators
    that drive the change (those the next standard adds, drops or redefines)."""
    d = SnapshotDeprivation
    query = (
        select(d.indicator, d.kind, func.sum(d.households))
        .where(d.snapshot_pk.in_(stats.snapshot_ids(period)), d.kind.in_(("projected", "baseline")))
        .group_by(d.indicator, d.kind)
    )
    if code is not None:
        query = query.where(d.province_code == code)
    sums: dict[str, dict[str, int | None]] = {}
    for indicator, kind, households in session.execute(query):
        sums.setdefault(indicator, {})[kind] = households
    order = [i.code for i in standard_for(period).indicators]
    later_id = projected_standard(session, period)
    if later_id:
        order += [i.code for i in get_standard(later_id).indicators if i.code not in order]
    rows = [
        {
            "indicator": indicator,
            "baseline": sums[indicator].get("baseline"),
            "projected": sums[indicator].get("projected"),
            "change": _difference(
                sums[indicator].get("projected") or 0, sums[indicator].get("baseline") or 0
            ),
        }
        for indicator in [c for c in order if c in sums] + sorted(set(sums) - set(order))
    ]
    return sorted(rows, key=lambda row: -abs(row["change"] or 0))


def _difference(after: int | None, before: int | None) -> int | None:
    if after is None or before is None:
        return None
    return after - before
