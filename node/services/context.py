"""What use-cases need to know about the node and the moment, passed in by the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from node.models.applications import CONFIRMATION_KINDS
from node.services.periods import ReviewWindow
from shared.moments import as_utc

# Where the node's days are counted (deadlines, periods, the dates of the review's steps).
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_day(moment: datetime) -> date:
    """The day in Vietnam of a moment the database gives back (naive UTC on SQLite)."""
    return as_utc(moment).astimezone(VIETNAM).date()


@dataclass(frozen=True)
class ReviewRules:
    """The procedure's numbers (RULES §5; the data in shared/procedure/procedure.json, some
    provisional there)."""

    # The chair decides within this many days of the review's start.
    decision_days: int = 15
    # Count those days as working days (default) or calendar days.
    decision_in_working_days: bool = True
    # A public posting lasts this many working days.
    posting_working_days: int = 3
    # Provinces or periods that still ask a higher level's opinion before the decision.
    district_opinion_required: bool = False
    # A village meeting passes with at least this share (%) of its attendees agreeing.
    meeting_agreement_percent: int = 50
    # The identification of a household with an average living standard or of low-income
    # workers (Decision 24/2021 Art. 3 cl. 2, Art. 6; procedure 1.011609): no village meeting, a
    # longer posting at the commune office, its own deadline.
    confirmation_posting_working_days: int = 5
    confirmation_decision_days: int = 15
    confirmation_decision_in_working_days: bool = True

    def posting_days(self, kind: str) -> int:
        """How many working days a posting of an application of ``kind`` lasts."""
        if kind in CONFIRMATION_KINDS:
            return self.confirmation_posting_working_days
        return self.posting_working_days

    def deadline(self, kind: str) -> tuple[int, bool]:
        """The days the chair has to decide an application of ``kind`` from the review's start,
        and whether they are working days."""
        if kind in CONFIRMATION_KINDS:
            return self.confirmation_decision_days, self.confirmation_decision_in_working_days
        return self.decision_days, self.decision_in_working_days


@dataclass(frozen=True)
class NodeContext:
    """The province, the moment, the review calendar and rules."""

    province_code: str
    today: date
    now: datetime
    review_window: ReviewWindow = field(default_factory=ReviewWindow)
    rules: ReviewRules = field(default_factory=ReviewRules)


@dataclass(frozen=True)
class Actor:
    """Who acts on an application's history: a resident, or an official by id and role."""

    role: str = "resident"
    user_id: int | None = None


RESIDENT = Actor()
