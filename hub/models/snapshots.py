"""Aggregate snapshots pulled from the nodes, and their per-commune rows for set-based stats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from shared.schemas import COUNT_FIELDS


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

    snapshot: Mapped[Snapshot] = relationship(back_populates="rows")


class SnapshotDeprivation(db.Model):
    """Households deprived in one indicator, among a commune's poor and near-poor, in a snapshot."""

    __tablename__ = "snapshot_deprivations"
    __table_args__ = (UniqueConstraint("snapshot_pk", "commune_code", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_pk: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    province_code: Mapped[str] = mapped_column(String(2))
    period: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(String(5))
    indicator: Mapped[str] = mapped_column(String(40))
    households: Mapped[int | None] = mapped_column(Integer)


_COLUMNS = [column.name for column in SnapshotRow.__table__.columns]
if tuple(name for name in _COLUMNS if name in COUNT_FIELDS) != COUNT_FIELDS:
    raise AssertionError("SnapshotRow must have a column for every count of the schema, in order")
