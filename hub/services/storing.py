"""Storing checked snapshots: idempotent, all rows or none, never older than the current one.

Of a province's snapshots for a period, the current one is what the stats read. A snapshot the
pull checked becomes current unless it was generated before the current one (a late, replayed or
restored answer must not take the figures back) or is dated in the future (a node's clock gone
wrong would make every honest snapshot after it look older).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.models.snapshots import (
    BASELINE_COLUMNS,
    PROJECTED_COLUMNS,
    Snapshot,
    SnapshotDeprivation,
    SnapshotRow,
)
from hub.services.accounts import as_utc
from shared.schemas import ACTIVITY_FIELDS, COUNT_FIELDS

logger = logging.getLogger(__name__)

# How far ahead of the hub's clock a snapshot may be dated.
CLOCK_SKEW = timedelta(minutes=15)


@dataclass(frozen=True)
class Signed:
    """A snapshot as the node signed it: the exact body, its X-Signature, the key that verified."""

    body: str
    signature: str
    public_key: str


class SnapshotRefused(Exception):
    """A checked snapshot the hub will not make current: older than the current one, or dated
    in the future."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def store_snapshot(
    session: Session, content: dict[str, Any], *, now: datetime, signed: Signed | None = None
) -> bool:
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
        snapshot = _new_snapshot(content, generated_at, now, signed)
        try:
            with session.begin_nested():
                session.add(snapshot)
        except IntegrityError:
            # Another pull of the same node stored it meanwhile.
            return store_snapshot(session, content, now=now, signed=signed)
        _insert_rows(session, snapshot, content)
    elif generated_at > as_utc(snapshot.generated_at):
        # The figures went A → B → A: the node built A again, later. A is current as of then,
        # so that B, replayed or late, is older than it.
        snapshot.generated_at = generated_at
        snapshot.body = content
        _keep_signed(snapshot, signed)
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


def _keep_signed(snapshot: Snapshot, signed: Signed | None) -> None:
    if signed is not None:
        snapshot.signed_body = signed.body
        snapshot.signature = signed.signature
        snapshot.public_key = signed.public_key


def _new_snapshot(
    content: dict[str, Any], generated_at: datetime, now: datetime, signed: Signed | None
) -> Snapshot:
    official = content.get("official") or {}
    projected = next((row["projected"] for row in content["rows"] if row.get("projected")), None)
    snapshot = Snapshot(
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
        schema_version=content["schema_version"],
        official_revision=official.get("revision"),
        decision_number=official.get("decision_number"),
        decided_on=date.fromisoformat(official["decided_on"]) if official else None,
        projected_standard_id=projected["standard_id"] if projected else None,
    )
    _keep_signed(snapshot, signed)
    return snapshot


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
    rows = [{**keys, **_row_values(row)} for row in content["rows"]]
    deprivations = [
        {**keys, "commune_code": row["commune_code"], "indicator": code, "households": count,
         "kind": kind}
        for row in content["rows"]
        for kind, counts in _deprivations(row)
        for code, count in sorted(counts.items())
    ]  # fmt: skip
    if rows:
        session.execute(insert(SnapshotRow), rows)
    if deprivations:
        session.execute(insert(SnapshotDeprivation), deprivations)


def _row_values(row: dict[str, Any]) -> dict[str, Any]:
    """A commune's counts as SnapshotRow columns (v2's activity and projection null in v1)."""
    values = {"commune_code": row["commune_code"], **{name: row[name] for name in COUNT_FIELDS}}
    activity = row.get("activity") or {}
    values.update({name: activity.get(name) for name in ACTIVITY_FIELDS})
    projected = row.get("projected") or {}
    values.update({column: projected.get(key) for key, column in PROJECTED_COLUMNS.items()})
    baseline = projected.get("current") or {}
    values.update({column: baseline.get(key) for key, column in BASELINE_COLUMNS.items()})
    return values


def _deprivations(row: dict[str, Any]) -> list[tuple[str, dict[str, int | None]]]:
    projected = row.get("projected") or {}
    return [
        ("current", row["deprived"]),
        ("projected", projected.get("deprived") or {}),
        ("baseline", (projected.get("current") or {}).get("deprived") or {}),
    ]


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
