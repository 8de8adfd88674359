"""The review procedure's records (Decision 24/2021 art. 4–5): verification, village meeting,
public posting, complaints, the chair's decision and the certificate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.personal import personal_column


class Verification(db.Model):
    """What the reviewer found at the household (Phiếu B): facts, members, official assessment."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    verified_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    facts: Mapped[dict[str, Any]] = personal_column(JSON)
    # Name, citizen ID and ethnicity of each member, in the order of facts["members"].
    identities: Mapped[list[dict[str, Any]]] = personal_column(JSON)
    head_address: Mapped[str | None] = personal_column(String(300))
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON)
    classification: Mapped[str] = mapped_column(String(10))
    standard_id: Mapped[str] = mapped_column(String(40))


class VerificationIdentity(db.Model):
    """A citizen ID a verification recorded for one member (one row each): finding the other
    files that hold the same ID is then an index lookup (node.services.duplicates), not a read of
    every verification's identities."""

    __tablename__ = "verification_identities"
    __table_args__ = (
        Index(
            "ix_verification_identities_citizen_id_application_id", "citizen_id", "application_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_id: Mapped[int] = mapped_column(ForeignKey("verifications.id"), index=True)
    # The verification's application, kept here so the lookup joins the applications directly.
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    # The member's place in the verification's facts["members"] (from 0).
    position: Mapped[int] = mapped_column(Integer)
    citizen_id: Mapped[str] = personal_column(String(12))


class Meeting(db.Model):
    """A village meeting (họp dân) that discussed a list of households."""

    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint("attendees > 0", name="attendees"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[int] = mapped_column(Integer)
    chaired_by: Mapped[str | None] = personal_column(String(200))
    # The minutes' own words (what was said, who objected), typed at the meeting.
    notes: Mapped[str | None] = personal_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    votes: Mapped[list[MeetingVote]] = relationship(
        back_populates="meeting", order_by="MeetingVote.id", cascade="all, delete-orphan"
    )


class MeetingVote(db.Model):
    """How many of the meeting's attendees agreed with one household's proposed result."""

    __tablename__ = "meeting_votes"
    __table_args__ = (
        UniqueConstraint("meeting_id", "application_id"),
        CheckConstraint("agreeing >= 0", name="agreeing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint on (meeting_id, application_id), which leads with it.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    agreeing: Mapped[int] = mapped_column(Integer)
    proposed_classification: Mapped[str] = mapped_column(String(10))
    passed: Mapped[bool]

    meeting: Mapped[Meeting] = relationship(back_populates="votes")


class Posting(db.Model):
    """A public posting (niêm yết công khai) of results at the village house and commune office."""

    __tablename__ = "postings"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    posted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[PostingItem]] = relationship(
        back_populates="posting", order_by="PostingItem.id", cascade="all, delete-orphan"
    )


class PostingItem(db.Model):
    """One household on a posting."""

    __tablename__ = "posting_items"
    __table_args__ = (UniqueConstraint("posting_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint on (posting_id, application_id), which leads with it.
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    proposed_classification: Mapped[str] = mapped_column(String(10))

    posting: Mapped[Posting] = relationship(back_populates="items")


class Complaint(db.Model):
    """A complaint (khiếu nại) against a posted result; it sends the household back to review."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id"))
    received_on: Mapped[date] = mapped_column(Date)
    complainant: Mapped[str | None] = personal_column(String(200))
    content: Mapped[str] = personal_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DistrictOpinion(db.Model):
    """The optional opinion step (the district chair's before 1/7/2025) some provinces keep."""

    __tablename__ = "district_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    agrees: Mapped[bool]
    note: Mapped[str | None] = personal_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Decision(db.Model):
    """The commune chair's decision (quyết định) on a batch of households, with its number."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("commune_code", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    number: Mapped[str] = mapped_column(String(50))
    decided_on: Mapped[date] = mapped_column(Date)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[DecisionItem]] = relationship(
        back_populates="decision", order_by="DecisionItem.id", cascade="all, delete-orphan"
    )


class DecisionItem(db.Model):
    """One household in a decision: recognised with a class, or refused with written reasons."""

    __tablename__ = "decision_items"
    __table_args__ = (
        CheckConstraint("outcome IN ('recognised', 'refused')", name="outcome"),
        CheckConstraint("outcome = 'recognised' OR reasons IS NOT NULL", name="refusal_reasons"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(10))
    classification: Mapped[str | None] = mapped_column(String(10))
    reasons: Mapped[str | None] = personal_column(Text)

    decision: Mapped[Decision] = relationship(back_populates="items")


class Certificate(db.Model):
    """Giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu số 03) issued to a recognised household."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("commune_code", "period", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    decision_item_id: Mapped[int] = mapped_column(ForeignKey("decision_items.id"), unique=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    period: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(50))
    classification: Mapped[str] = mapped_column(String(10))
    issued_on: Mapped[date] = mapped_column(Date)
    # Random, unguessable: the QR code on the paper carries it, and the node verifies it.
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)


class DuplicateFlag(db.Model):
    """The same citizen ID in another open application or recognised household of the province."""

    __tablename__ = "duplicate_flags"
    __table_args__ = (
        CheckConstraint(
            "resolution IS NULL OR resolution IN ('merged', 'withdrawn', 'distinct')",
            name="resolution",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    other_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    other_household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    citizen_id: Mapped[str] = personal_column(String(12))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(10))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = personal_column(Text)


class PeriodicReview(db.Model):
    """A commune's yearly periodic review (rà soát định kỳ) for the lists of one period."""

    __tablename__ = "periodic_reviews"
    __table_args__ = (UniqueConstraint("commune_code", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    period: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


# How the province admin changed the calendar the `holidays` package gives (RULES §5):
# a day off added (a government swap, a local day), or a day made a working day (a package
# holiday moved by the government's notice, a Saturday worked in exchange).
HOLIDAY_CHANGES = ("added", "removed")


class Holiday(db.Model):
    """The province admin's change to the working-day calendar that deadlines are counted in:
    Vietnam's public holidays come from the `holidays` package, these rows add or remove days."""

    __tablename__ = "holidays"
    __table_args__ = (CheckConstraint("change IN ('added', 'removed')", name="change"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    change: Mapped[str] = mapped_column(String(10), default="added", server_default="added")
