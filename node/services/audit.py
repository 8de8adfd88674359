"""Writing and checking the hash-chained audit log (node.models.audit)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.audit import AuditEntry
from node.services.scopes import Official
from shared.moments import utc_naive

GENESIS = "0" * 64


def _digest(previous_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((previous_hash + canonical).encode("utf-8")).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": utc_naive(entry.at).isoformat(timespec="microseconds"),
        "user_id": entry.user_id,
        "role": entry.role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "application_id": entry.application_id,
        "household_id": entry.household_id,
        "why": entry.why,
        "details": entry.details,
    }


def record(
    session: Session,
    official: Official | None,
    action: str,
    object_type: str,
    object_id: int | None,
    now: datetime,
    *,
    application_id: int | None = None,
    household_id: int | None = None,
    why: str | None = None,
    details: dict[str, Any] | None = None,
    role: str | None = None,
) -> AuditEntry:
    """Append an entry chained to the last one.

    The last entry is read with a row lock on PostgreSQL, so two concurrent writers cannot chain
    onto the same predecessor (SQLite serialises writers anyway).
    """
    last = session.scalar(
        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1).with_for_update()
    )
    entry = AuditEntry(
        at=now,
        user_id=official.user_id if official else None,
        role=role or (official.role if official else "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        application_id=application_id,
        household_id=household_id,
        why=why,
        details=details,
        previous_hash=last.hash if last else GENESIS,
    )
    entry.hash = _digest(entry.previous_hash, _fields(entry))
    session.add(entry)
    session.flush()
    return entry


def verify_audit_chain(session: Session) -> int | None:
    """The id of the first entry whose hash or link does not check out, or None if all do."""
    previous = GENESIS
    for entry in _entries(session):
        if entry.previous_hash != previous or entry.hash != _digest(previous, _fields(entry)):
            return entry.id
        previous = entry.hash
    return None


def _entries(session: Session) -> Iterator[AuditEntry]:
    yield from session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000)
