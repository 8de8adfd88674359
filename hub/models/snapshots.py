"""Aggregate snapshots pulled from the nodes, and their per-commune rows for set-based stats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from shared.schemas import ACTIVITY_FIELDS, COUNT_FIELDS


class Snapshot(db.Model):
    """A verified, validated snapshot of one province and period, stored once per content.

    Of a province's snapshots for a period, the one the node served last is ``is_current``: the
    stats read those alone. Storing the same content again only makes it current again.
    """

    __tablename__ = "snapshots"
    __table_args__ = (
        UniqueConstraint("province_code", "period", "snapshot_id"),
        # At most one current snapshot per province and period (a partial unique index).
        Index(
            "uq_snapshots_current",
            "province_code",
            "period",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_snapshots_period_is_current", "period", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2))
    period: Mapped[int] = mapped_column(Integer)
    snapshot_id: Mapped[str] = mapped_column(String(64))
    standard_id: Mapped[str] = mapped_column(String(40))
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The last pull that served this snapshot (200) or confirmed it unchanged (304).
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    suppression_k: Mapped[int | None] = mapped_column(Integer)
    # The body exactly as validated by AggregateSnapshotSchema: counts per commune only.
    body: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    schema_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Version 2: the province's approval (official), when the snapshot carries it.
    official_revision: Mapped[int | None] = mapped_column(Integer)
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decided_on: Mapped[date | None] = mapped_column(Date)
    # The next national standard the rows' projection is under (version 2), if any.
    projected_standard_id: Mapped[str | None] = mapped_column(String(40))
    # What anyone needs to check the figures (open data): the exact bytes the node signed, its
    # Ed25519 signature over them (X-Signature, base64) and the public key it verified with.
    signed_body: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(String(200))
    public_key: Mapped[str | None] = mapped_column(String(64))

    rows: Mapped[list[SnapshotRow]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", passive_deletes=True
    )


class SnapshotRow(db.Model):
    """One commune's counts in one snapshot; a null count was suppressed by the node."""

    __tablename__ = "snapshot_rows"
    __table_args__ = (UniqueConstraint("snapshot_pk", "commune_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_pk: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    province_code: Mapped[str] = mapped_column(String(2))
    period: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(String(5))
    households_total: Mapped[int | None] = mapped_column(Integer)
    poor: Mapped[int | None] = mapped_column(Integer)
    near_poor: Mapped[int | None] = mapped_column(Integer)
    average: Mapped[int | None] = mapped_column(Integer)
    not_poor: Mapped[int | None] = mapped_column(Integer)
    poor_rural: Mapped[int | None] = mapped_column(Integer)
    poor_urban: Mapped[int | None] = mapped_column(Integer)
    near_poor_rural: Mapped[int | None] = mapped_column(Integer)
    near_poor_urban: Mapped[int | None] = mapped_column(Integer)
    new_poor: Mapped[int | None] = mapped_column(Integer)
    new_near_poor: Mapped[int | None] = mapped_column(Integer)
    exited_poor: Mapped[int | None] = mapped_column(Integer)
    exited_near_poor: Mapped[int | None] = mapped_column(Integer)
    fell_back: Mapped[int | None] = mapped_column(Integer)
    ethnic_minority_poor: Mapped[int | None] = mapped_column(Integer)
    ethnic_minority_near_poor: Mapped[int | None] = mapped_column(Integer)
    members_poor: Mapped[int | None] = mapped_column(Integer)
    members_near_poor: Mapped[int | None] = mapped_column(Integer)
    applications_pending: Mapped[int | None] = mapped_column(Integer)
    # Version 2: the review's activity (for the signals) and the projection (null in v1).
    applications_received: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[int | None] = mapped_column(Integer)
    verified_class_changed: Mapped[int | None] = mapped_column(Integer)
    meeting_votes: Mapped[int | None] = mapped_column(Integer)
    meeting_votes_unanimous: Mapped[int | None] = mapped_column(Integer)
    applications_overdue: Mapped[int | None] = mapped_column(Integer)
    projected_households: Mapped[int | None] = mapped_column(Integer)
    projected_poor: Mapped[int | None] = mapped_column(Integer)
    projected_near_poor: Mapped[int | None] = mapped_column(Integer)
    projected_current_poor: Mapped[int | None] = mapped_column(Integer)
    projected_current_near_poor: Mapped[int | None] = mapped_column(Integer)

    snapshot: Mapped[Snapshot] = relationship(back_populates="rows")


class SnapshotDeprivation(db.Model):
    """Households deprived in one indicator, in one commune of a snapshot: among its poor and
    near-poor (kind ``current``), or among the households of the projection under the next
    standard (``projected``) and under the period's (``baseline``)."""

    __tablename__ = "snapshot_deprivations"
    __table_args__ = (
        UniqueConstraint(
            "snapshot_pk", "commune_code", "indicator", "kind", name="uq_snapshot_deprivations_kind"
        ),
        CheckConstraint("kind IN ('current', 'projected', 'baseline')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_pk: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    province_code: Mapped[str] = mapped_column(String(2))
    period: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(String(5))
    indicator: Mapped[str] = mapped_column(String(40))
    households: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="current", server_default="current")


class PeriodDueDate(db.Model):
    """The date by which the provinces are due to close a period, as a central admin set it."""

    __tablename__ = "period_due_dates"

    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


_COLUMNS = [column.name for column in SnapshotRow.__table__.columns]
if tuple(name for name in _COLUMNS if name in COUNT_FIELDS) != COUNT_FIELDS:
    raise AssertionError("SnapshotRow must have a column for every count of the schema, in order")

PROJECTED_COLUMNS = {
    "households": "projected_households",
    "poor": "projected_poor",
    "near_poor": "projected_near_poor",
}
BASELINE_COLUMNS = {"poor": "projected_current_poor", "near_poor": "projected_current_near_poor"}
if not set(ACTIVITY_FIELDS) <= set(_COLUMNS):
    raise AssertionError("SnapshotRow must have a column for every activity count of the schema")
