"""The append-only audit log: every read of a household's personal data and every change.

Each entry carries the hash of the one before it, so removing or editing an entry breaks the
chain and ``verify_audit_chain`` says where (DESIGN §2; the Law on Personal Data Protection asks
that processing be traceable).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.personal import personal_column


class AuditEntry(db.Model):
    """Who (user and role) did what (read, change) to which record, when, and why."""

    __tablename__ = "audit_log"
    # The admin's log is newest first by id, 50 a page: one user's entries are read in this
    # index's order (tests/node/test_query_plans.py).
    __table_args__ = (Index("ix_audit_log_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed for the admin's range of days (the count; the page walks the ids).
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer)
    application_id: Mapped[int | None] = mapped_column(Integer, index=True)
    household_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Free text an official typed ("verified at home"), and details of the change: may name people.
    why: Mapped[str | None] = personal_column(String(500))
    details: Mapped[dict[str, Any] | None] = personal_column(JSON)
    # The SHA-256 of ``why`` and ``details``: the hash covers it instead of them, so they can be
    # blanked after their retention period (pseudonymised_at) and the chain still verifies.
    personal_digest: Mapped[str] = mapped_column(String(64))
    pseudonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
