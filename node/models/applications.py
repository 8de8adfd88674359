"""Applications (Mẫu 01 to enter, Mẫu 04 to exit, the confirmations of an average living
standard and of low-income workers), their history, consents and idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    column,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from node.extensions import db
from node.models.personal import personal_column
from shared.web.models import one_of

# Mẫu 01 (enter) and Mẫu 04 (exit) of Decision 24/2021 go through the village meeting; the
# request to identify a farming, forestry, fishery or salt household with an average living
# standard (Art. 3 cl. 2, Art. 6) and that of low-income workers (Decree 30/2025, which follows
# the same procedure) are confirmations: no village meeting, a posting at the commune office.
MEETING_KINDS = ("enter", "exit")
CONFIRMATION_KINDS = ("average", "low_income")
KINDS = MEETING_KINDS + CONFIRMATION_KINDS
CHANNELS = ("portal", "paper", "periodic")
STATUSES = ("submitted", "under_review", "meeting_held", "posted", "decided", "withdrawn")
# The statuses a commune still works on (node.services.workflow, which checks that they and the
# closed ones make up STATUSES). The worklist's partial indexes below hold only these rows.
OPEN_STATUSES = ("submitted", "under_review", "meeting_held", "posted")
OUTCOMES = ("recognised", "refused")
CLASSIFICATIONS = ("poor", "near_poor", "average", "not_poor")


class Application(db.Model):
    """One request to be reviewed: the facts the resident declared and their self-assessment."""

    __tablename__ = "applications"
    __table_args__ = (
        one_of("kind", KINDS),
        one_of("channel", CHANNELS),
        one_of("status", STATUSES),
        one_of("self_classification", CLASSIFICATIONS),
        # The officials' list (node.services.review.list_applications) is newest first, 50 a
        # page. Each index serves one shape of its filters and holds the rows in that order, so
        # a page reads 50 rows instead of sorting every match: by commune and status (also the
        # commune's worklist and batch forms), by commune (a commune official's default), by
        # status (the province's), and all (the province's default). Each costs every submission
        # one more index entry; tests/node/test_query_plans.py checks the plans.
        Index(
            "ix_applications_commune_code_status_submitted_at_id",
            "commune_code",
            "status",
            "submitted_at",
            "id",
        ),
        Index("ix_applications_commune_code_submitted_at_id", "commune_code", "submitted_at", "id"),
        Index("ix_applications_status_submitted_at_id", "status", "submitted_at", "id"),
        Index("ix_applications_submitted_at_id", "submitted_at", "id"),
        # The worklist (node.services.worklist) pages the open applications by deadline: these
        # partial indexes hold only the open ones, in that order, for a commune and for the
        # province, so a page is a walk of 50 entries however many files are closed. The first
        # also carries the period, so the pending counts of a snapshot are read from it alone.
        Index(
            "ix_applications_open_commune_code_due_on_id",
            "commune_code",
            "due_on",
            "id",
            "period",
            postgresql_where=column("status").in_(OPEN_STATUSES),
            sqlite_where=column("status").in_(OPEN_STATUSES),
        ),
        Index(
            "ix_applications_open_due_on_id",
            "due_on",
            "id",
            postgresql_where=column("status").in_(OPEN_STATUSES),
            sqlite_where=column("status").in_(OPEN_STATUSES),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(10))
    period: Mapped[int] = mapped_column(Integer, index=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    # An official who filed a paper form on the resident's behalf (proxy filing), and the date
    # the resident's paper form bears (the day the commune received it may be later).
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paper_dated_on: Mapped[date | None] = mapped_column(Date)
    # The village head or reviewer assigned to verify it.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When the chair must decide (or answer in writing), from the working-day calendar.
    due_on: Mapped[date | None] = mapped_column(Date)
    applicant_name: Mapped[str] = personal_column(String(200))
    applicant_citizen_id: Mapped[str] = personal_column(String(12), index=True)
    applicant_phone: Mapped[str] = personal_column(String(20))
    # The household facts as declared (RULES §4): birth dates and circumstances, so personal.
    declared_facts: Mapped[dict[str, Any]] = personal_column(JSON)
    standard_id: Mapped[str] = mapped_column(String(40))
    self_assessment: Mapped[dict[str, Any]] = mapped_column(JSON)
    self_classification: Mapped[str] = mapped_column(String(10))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When retention removed what identified its people (node.services.retention); None before.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on every change, so an official acting on a stale page gets a conflict, not a loss.
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id"
    )
    consent: Mapped[Consent | None] = relationship(back_populates="application")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def is_open() -> ColumnElement[bool]:
    """``status IN`` the open statuses, the statuses written into the SQL itself: PostgreSQL's
    planner uses a partial index only when it can prove the query's condition implies the
    index's, which it cannot do with values bound as parameters (a prepared, generic plan)."""
    return Application.status.in_(
        bindparam("open_statuses", list(OPEN_STATUSES), expanding=True, literal_execute=True)
    )


class ApplicationEvent(db.Model):
    """One step in an application's history: who did what, when, from which status to which."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_role: Mapped[str] = mapped_column(String(30))  # "resident", "system" or a role
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # Free text written about a household may name people: kept as personal data.
    note: Mapped[str | None] = personal_column(Text)

    application: Mapped[Application] = relationship(back_populates="events")


class Consent(db.Model):
    """The resident's consent to processing their personal data: which text, for what, when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    purpose: Mapped[str] = mapped_column(String(50))
    text_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    application: Mapped[Application] = relationship(back_populates="consent")


class IdempotencyKey(db.Model):
    """A client's key for one request, with the answer it got, so a retry gets the same answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    application: Mapped[Application | None] = relationship()


class ApplicationSearchWord(db.Model):
    """One word of a name on an application (the applicant's, a verified member's), folded —
    no tone marks, đ as d, lower case — so an official typing "nguyen van an" on a phone finds
    "Nguyễn Văn An" (node.services.search). One row per word: a search is an index lookup per
    word on SQLite and PostgreSQL alike, where a substring search of one folded column could
    not use an index at all."""

    __tablename__ = "application_search_words"
    __table_args__ = (UniqueConstraint("word", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    # A word of a person's name, hence personal data, like the name itself.
    word: Mapped[str] = personal_column(String(40))
