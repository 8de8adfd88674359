"""Aggregate snapshots for the hub, the counts they need, and the hub's access token."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db


class CommuneHouseholdCount(db.Model):
    """A commune's resident households for a period, entered by the province admin (for rates)."""

    __tablename__ = "commune_household_counts"

    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Snapshot(db.Model):
    """An immutable aggregate snapshot: the exact bytes the hub receives, named by their hash."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(Integer, index=True)
    # Not unique: figures that go A → B → A get a new row for the second A, the latest wins.
    snapshot_id: Mapped[str] = mapped_column(String(64), index=True)
    standard_id: Mapped[str] = mapped_column(String(40))
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)


class HubToken(db.Model):
    """The bearer token this node issued for the hub (stored hashed; a new one revokes the old)."""

    __tablename__ = "hub_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PeriodClose(db.Model):
    """The province's approval of a period's results (chốt số liệu), by its People's Committee's
    decision: the period's figures as they stood then become official. A later close of the same
    period is a new revision; nothing here is ever edited."""

    __tablename__ = "period_closes"
    __table_args__ = (
        UniqueConstraint("period", "revision"),
        CheckConstraint("revision >= 1", name="revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    decision_number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The province admin who closed it on the web page; None from the command line.
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The hash of the figures approved (the snapshot's content without ``official``): a snapshot
    # carries the close only while its figures are these.
    figures_hash: Mapped[str] = mapped_column(String(64))
    # The official snapshot the close produced.
    snapshot_id: Mapped[str] = mapped_column(String(64))


class MonthlyReportSending(db.Model):
    """A commune's monthly report of the regular review (Decision 24/2021 Art. 7) marked as sent
    to the province: once per commune and month (the unique key stops a second one, even from
    two clicks at once)."""

    __tablename__ = "monthly_report_sendings"
    __table_args__ = (UniqueConstraint("commune_code", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    # The first day of the month reported on.
    month: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class AnnualReportSending(db.Model):
    """A commune's annual report of the periodic review (the results for ``period``, the year
    the lists take effect) marked as sent to the province: once per commune and period."""

    __tablename__ = "annual_report_sendings"
    __table_args__ = (UniqueConstraint("commune_code", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    period: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
