"""Households on the commune's lists, their members, and their status per review period."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.personal import personal_column

CLASSIFICATIONS = ("poor", "near_poor", "average", "not_poor")


class Household(db.Model):
    """A household known to the node: identified by its head's citizen ID, living in a village."""

    __tablename__ = "households"
    __table_args__ = (CheckConstraint("area IN ('rural', 'urban')", name="area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    area: Mapped[str] = mapped_column(String(5))
    head_name: Mapped[str] = personal_column(String(200))
    head_citizen_id: Mapped[str] = personal_column(String(12), index=True)
    address: Mapped[str | None] = personal_column(String(300))
    phone: Mapped[str | None] = personal_column(String(20))
    # Ethnicity is sensitive personal data; the aggregates count ethnic-minority households only.
    ethnic_minority: Mapped[bool] = personal_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    members: Mapped[list[Member]] = relationship(
        back_populates="household", order_by="Member.position", cascade="all, delete-orphan"
    )
    statuses: Mapped[list[HouseholdStatus]] = relationship(
        back_populates="household", order_by="HouseholdStatus.period"
    )


class Member(db.Model):
    """A member of a household as verified by the reviewer (the certificate lists them)."""

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = personal_column(String(200))
    citizen_id: Mapped[str | None] = personal_column(String(12), index=True)
    birth_date: Mapped[date] = personal_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    relation: Mapped[str] = mapped_column(String(12))
    ethnicity: Mapped[str | None] = personal_column(String(50))
    # A low-income worker (người lao động có thu nhập thấp, Decree 30/2025) by the assessment of
    # the household's latest decision: a fact about this person, so personal data.
    low_income_worker: Mapped[bool] = personal_column(
        Boolean, default=False, server_default=false()
    )

    household: Mapped[Household] = relationship(back_populates="members")


class HouseholdStatus(db.Model):
    """A household's recognised class for one period, set by the chair's decision."""

    __tablename__ = "household_statuses"
    __table_args__ = (
        UniqueConstraint("household_id", "period"),
        # R5, the list of a period's poor and near-poor households, for the province or a commune.
        Index(
            "ix_household_statuses_period_classification_commune_code",
            "period",
            "classification",
            "commune_code",
        ),
        CheckConstraint(
            "classification IN ('poor', 'near_poor', 'average', 'not_poor')", name="classification"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint on (household_id, period), which leads with it.
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    period: Mapped[int] = mapped_column(Integer, index=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    classification: Mapped[str] = mapped_column(String(10))
    standard_id: Mapped[str] = mapped_column(String(40))
    # The household's area and ethnic-minority status when decided, kept on the status so the
    # aggregates read one table: the counts are of the decision, not of later edits.
    area: Mapped[str] = mapped_column(String(5))
    ethnic_minority: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The class in the period before (None: not on any list then), and whether the household is
    # poor again after having exited poverty (tái nghèo): the R2 report's changes come from these.
    previous_classification: Mapped[str | None] = mapped_column(String(10))
    fell_back: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    members_count: Mapped[int] = mapped_column(Integer)
    # On the list of farming, forestry, fishery and salt households with an average living
    # standard (Decision 24/2021 Art. 3): the class `average` and such a main livelihood, as
    # the official assessment found (``average_livelihood``).
    average_livelihood: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How many of its members are low-income workers (Decree 30/2025), as the official assessment
    # found (``low_income_workers``): the commune's count of them sums this column.
    low_income_workers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    decision_item_id: Mapped[int | None] = mapped_column(ForeignKey("decision_items.id"))
    decided_on: Mapped[date] = mapped_column(Date)

    household: Mapped[Household] = relationship(back_populates="statuses")
    deprivations: Mapped[list[StatusDeprivation]] = relationship(
        cascade="all, delete-orphan", order_by="StatusDeprivation.id"
    )


class StatusDeprivation(db.Model):
    """An indicator a recognised household is deprived in, one row each, so reports can count
    them with a plain GROUP BY on every database."""

    __tablename__ = "status_deprivations"
    __table_args__ = (UniqueConstraint("status_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint on (status_id, indicator), which leads with it.
    status_id: Mapped[int] = mapped_column(ForeignKey("household_statuses.id"))
    indicator: Mapped[str] = mapped_column(String(40))
    # Copied from the status (only poor and near-poor ones have rows): R3 and the snapshot then
    # count deprivations with one GROUP BY over this small table.
    period: Mapped[int] = mapped_column(Integer, index=True)
    commune_code: Mapped[str] = mapped_column(String(5))
