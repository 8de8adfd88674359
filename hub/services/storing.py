"""Storing checked snapshots: idempotent, all rows or none, never older than the current one.

Of a province's snapshots for a period, the current one is what the stats read. A snapshot the
pull checked becomes current unless it was generated before the current one (a late, replayed or
restored answer must not take the figures back) or is dated in the future (a node's clock gone
wrong would make every honest snapshot after it look older).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.models.snapshots import Snapshot, SnapshotDeprivation, SnapshotRow
from hub.services.accounts import as_utc
from shared.schemas import COUNT_FIELDS

logger = logging.getLogger(__name__)

# How far ahead of the hub's clock a snapshot may be dated.
CLOCK_SKEW = timedelta(minutes=15)


class SnapshotRefused(Exception):
    """A checked snapshot the hub will not make current: older than the current one, or dated
    in the future."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def store_snapshot(session: Session, content: dict[str, Any], *, now: datetime) -> bool:
    """Store a checked snapshot and make it current; False when it was stored before.

    Idempotent: (province_code, period, snapshot_id) is unique, and the same content again only
    becomes the current snapshot again (with its later ``generated_at``, when the node built the
    same figures again later). Raises SnapshotRefused, writing nothing, for a snapshot generated
    before the current one of its province and period, or dated in the future.
    """
    code, period, snapshot_id = content["province_code"], content["period"], content["snapshot_id"]
    generated_at = parse_time(content["generated_at"])
    _check_order(session, content, generated_at, now)
    snapshot = session.scalar(
        select(Snapshot).where(
            Snapshot.province_code == code,
            Snapshot.period == period,
            Snapshot.snapshot_id == snapshot_id,
        )
    )
    created = snapshot is None
    if snapshot is None:
        snapshot = _new_snapshot(content, generated_at, now)
        try:
            with session.begin_nested():
                session.add(snapshot)
        except IntegrityError:
            # Another pull of the same node stored it meanwhile.
            return store_snapshot(session, content, now=now)
        _insert_rows(session, snapshot, content)
    elif generated_at > as_utc(snapshot.generated_at):
        # The figures went A → B → A: the node built A again, later. A is current as of then,
        # so that B, replayed or late, is older than it.
        snapshot.generated_at = generated_at
        snapshot.body = content
    snapshot.confirmed_at = now
    # Clear the old current one first: the partial unique index allows one per province/period.
    session.execute(
        update(Snapshot)
        .where(
            Snapshot.province_code == code,
            Snapshot.period == period,
            Snapshot.is_current.is_(True),
            Snapshot.id != snapshot.id,
        )
        .values(is_current=False)
    )
    snapshot.is_current = True
    session.flush()
    if created:
        logger.info(
            "Stored snapshot %s of province %s, period %s (%d communes)",
            snapshot_id[:12],
            code,
            period,
            len(content["rows"]),
        )
    return created


def _new_snapshot(content: dict[str, Any], generated_at: datetime, now: datetime) -> Snapshot:
    return Snapshot(
        province_code=content["province_code"],
        period=content["period"],
        snapshot_id=content["snapshot_id"],
        standard_id=content["standard_id"],
        generated_at=generated_at,
        received_at=now,
        confirmed_at=now,
        is_current=False,
        suppression_k=content.get("suppression_k"),
        body=content,
    )


def _check_order(
    session: Session, content: dict[str, Any], generated_at: datetime, now: datetime
) -> None:
    """Refuse a snapshot dated in the future, or generated before the current one."""
    if generated_at > as_utc(now) + CLOCK_SKEW:
        raise SnapshotRefused(
            f"The snapshot was generated at {generated_at:%Y-%m-%d %H:%M} UTC, in the future of "
            f"the hub's clock ({as_utc(now):%Y-%m-%d %H:%M} UTC): check the node's clock."
        )
    current = session.scalar(
        select(Snapshot).where(
            Snapshot.province_code == content["province_code"],
            Snapshot.period == content["period"],
            Snapshot.is_current.is_(True),
        )
    )
    if current is None or current.snapshot_id == content["snapshot_id"]:
        return
    if generated_at < as_utc(current.generated_at):
        raise SnapshotRefused(
            f"The snapshot was generated at {generated_at:%Y-%m-%d %H:%M:%S} UTC, older than "
            f"the current snapshot of period {content['period']} ({current.snapshot_id[:12]}, "
            f"{as_utc(current.generated_at):%Y-%m-%d %H:%M:%S} UTC): an older snapshot never "
            "replaces a newer one."
        )


def confirm_snapshot(
    session: Session, province_code: str, snapshot_id: str, *, now: datetime
) -> None:
    """Note that the node confirmed (304) that this snapshot is still its latest."""
    session.execute(
        update(Snapshot)
        .where(Snapshot.province_code == province_code, Snapshot.snapshot_id == snapshot_id)
        .values(confirmed_at=now)
    )


def _insert_rows(session: Session, snapshot: Snapshot, content: dict[str, Any]) -> None:
    keys = {
        "snapshot_pk": snapshot.id,
        "province_code": snapshot.province_code,
        "period": snapshot.period,
    }
    rows = [
        {**keys, "commune_code": row["commune_code"], **{name: row[name] for name in COUNT_FIELDS}}
        for row in content["rows"]
    ]
    deprivations = [
        {**keys, "commune_code": row["commune_code"], "indicator": code, "households": count}
        for row in content["rows"]
        for code, count in sorted(row["deprived"].items())
    ]
    if rows:
        session.execute(insert(SnapshotRow), rows)
    if deprivations:
        session.execute(insert(SnapshotDeprivation), deprivations)


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
