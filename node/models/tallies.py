"""The decided statuses summed per period, commune and class: what R1–R4 and the snapshot read.

Kept by node.services.tallies whenever a status is written (the chair's decision, the import),
so a report or a snapshot reads a few rows per commune instead of every household's status.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db


class StatusTally(db.Model):
    """The statuses of one period, commune and class, counted as node.services.aggregates
    reports them (areas, minorities, changes since the period before, members)."""

    __tablename__ = "status_tallies"

    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    classification: Mapped[str] = mapped_column(String(10), primary_key=True)
    households: Mapped[int] = mapped_column(Integer, default=0)
    urban: Mapped[int] = mapped_column(Integer, default=0)
    ethnic_minority: Mapped[int] = mapped_column(Integer, default=0)
    fell_back: Mapped[int] = mapped_column(Integer, default=0)
    # Not in this class the period before, and not fallen back (new on the list).
    newly_listed: Mapped[int] = mapped_column(Integer, default=0)
    was_poor: Mapped[int] = mapped_column(Integer, default=0)
    was_near_poor: Mapped[int] = mapped_column(Integer, default=0)
    members: Mapped[int] = mapped_column(Integer, default=0)


class DeprivationTally(db.Model):
    """Poor and near-poor households of one period and commune deprived in one indicator."""

    __tablename__ = "deprivation_tallies"

    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    households: Mapped[int] = mapped_column(Integer, default=0)
