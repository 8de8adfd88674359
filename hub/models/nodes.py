"""The registry of provincial nodes the hub pulls aggregates from, and every pull attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db

OUTCOMES = ("ok", "not_modified", "error")
SUCCESSES = ("ok", "not_modified")
DEFAULT_INTERVAL_SECONDS = 3600


class Node(db.Model):
    """A province's node: where it answers, how the hub authenticates, how it verifies.

    The ``last_*`` columns summarise the latest attempts (the full history is PullAttempt), so
    the freshness board and the node list read one row per node.
    """

    __tablename__ = "nodes"
    __table_args__ = (CheckConstraint("interval_seconds >= 60", name="interval_seconds"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    # The bearer token the node issued for the hub. The hub must send it, so it cannot be
    # hashed; it is encrypted with a key derived from the hub's secret (hub.services.nodes).
    token_encrypted: Mapped[str] = mapped_column(Text)
    # The node's raw 32-byte Ed25519 public key, base64: it verifies every snapshot's signature.
    public_key: Mapped[str] = mapped_column(String(64))
    interval_seconds: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_INTERVAL_SECONDS, server_default=str(DEFAULT_INTERVAL_SECONDS)
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The snapshot the node served last: sent back as If-None-Match.
    last_snapshot_id: Mapped[str | None] = mapped_column(String(64))

    attempts: Mapped[list[PullAttempt]] = relationship(
        back_populates="node", cascade="all, delete-orphan", passive_deletes=True
    )


class PullAttempt(db.Model):
    """One pull of one node: when, how long, what came back. Counts and errors only."""

    __tablename__ = "pull_attempts"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ({})".format(", ".join(f"'{o}'" for o in OUTCOMES)), name="outcome"
        ),
        Index("ix_pull_attempts_node_id_started_at", "node_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    province_code: Mapped[str] = mapped_column(String(2))
    # The period asked for; None means the node's current period.
    period: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int] = mapped_column(Integer)
    # HTTP requests made, retries included.
    tries: Mapped[int] = mapped_column(Integer)
    http_status: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    outcome: Mapped[str] = mapped_column(String(20))
    # Why it failed, in the hub's words (never the node's body).
    error: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[str | None] = mapped_column(String(64))

    node: Mapped[Node] = relationship(back_populates="attempts")
