"""Writing, checking and pseudonymising the hash-chained audit log (node.models.audit).

Each entry's hash covers the hash before it, the entry's own plain fields (when, who by id and
role, what, on which record) and ``personal_digest``: the SHA-256 of its personal fields (the
free-text ``why`` and the ``details``), not the fields themselves. Pseudonymising an entry after
its retention period (node.services.retention) blanks those fields and keeps the digest, so the
chain still verifies end to end; ``verify_audit_chain`` also checks each entry not yet
pseudonymised against its digest, so its personal fields cannot be edited unseen either.
"""

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


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _digest(previous_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((previous_hash + _canonical(fields)).encode("utf-8")).hexdigest()


def personal_digest(why: str | None, details: dict[str, Any] | None) -> str:
    """The SHA-256 of an entry's personal fields, which its hash covers in their place."""
    canonical = _canonical({"why": why, "details": details})
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
        "personal": entry.personal_digest,
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
        personal_digest=personal_digest(why, details),
    )
    entry.hash = _digest(entry.previous_hash, _fields(entry))
    session.add(entry)
    session.flush()
    return entry


def verify_audit_chain(session: Session) -> int | None:
    """The id of the first entry whose hash, link or personal fields do not check out (those
    of a pseudonymised entry are gone: its digest stands for them), or None if all do."""
    previous = GENESIS
    for entry in _entries(session):
        if entry.previous_hash != previous or entry.hash != _digest(previous, _fields(entry)):
            return entry.id
        if entry.pseudonymised_at is None and entry.personal_digest != personal_digest(
            entry.why, entry.details
        ):
            return entry.id
        previous = entry.hash
    return None


def pseudonymise(entry: AuditEntry, now: datetime) -> None:
    """Blank an entry's personal fields for good; its digest keeps the chain verifiable."""
    entry.why = None
    entry.details = None
    entry.pseudonymised_at = now


def _entries(session: Session) -> Iterator[AuditEntry]:
    yield from session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000)
