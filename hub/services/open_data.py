"""Open data: the official and published figures only — never provisional ones — by period and
province, each with its sources, so anyone can check them.

A node figure is official when its province closed the period (its latest official snapshot);
its source names the snapshot and its Ed25519 signature, and the exact signed bytes are served
beside it (``signed_snapshot``) with the node's public key. A published figure's source is the
Ministry's decision.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.models.snapshots import Snapshot
from hub.services import published, stats

LEVELS = ("national", "province")


def public_periods(session: Session) -> list[int]:
    """The periods with official node figures or published ones, latest first."""
    official = session.scalars(
        select(Snapshot.period)
        .where(Snapshot.official_revision.is_not(None))
        .group_by(Snapshot.period)
    )
    return sorted(set(official) | set(published.periods()), reverse=True)


def public_stats(
    session: Session, *, period: int, level: str, code: str | None = None
) -> list[dict[str, Any]]:
    """The official and published items of the level (raises ValidationFailed as stats does),
    each with its sources; a node source links to its signed snapshot."""
    items = stats.stats(session, period=period, level=level, code=code, official=True)
    found = []
    for item in items:
        if not item["official"] or (item["source"] == stats.NODE and not item["sources"]):
            continue
        item = stats.with_rates(item)
        for source in item["sources"]:
            if source["kind"] == "node":
                source["verify_url"] = f"/api/v1/public/snapshots/{source['snapshot_id']}"
        found.append(item)
    return found


def signed_snapshot(session: Session, snapshot_id: str) -> Snapshot | None:
    """An official snapshot with its exact signed bytes (the latest stored of that id), or None
    — a provisional one is never published."""
    return session.scalar(
        select(Snapshot)
        .where(
            Snapshot.snapshot_id == snapshot_id,
            Snapshot.official_revision.is_not(None),
            Snapshot.signed_body.is_not(None),
        )
        .order_by(Snapshot.id.desc())
        .limit(1)
    )


def latest_public_period(session: Session) -> int | None:
    """The latest period with official or published figures."""
    periods = public_periods(session)
    return periods[0] if periods else None


def official_count(session: Session, period: int) -> int:
    """How many provinces have official figures for the period."""
    return session.scalar(
        select(func.count(func.distinct(Snapshot.province_code))).where(
            Snapshot.period == period, Snapshot.official_revision.is_not(None)
        )
    )
