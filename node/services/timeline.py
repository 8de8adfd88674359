"""Where each application's review stands in time (RULES §5): the dates its steps carry.

The review is a chain — start, verification, village meeting, public posting, complaint (back
to verification) — and each step is dated on or after the one before. ``load_timelines`` reads,
for a list of applications in a few queries, the latest date the chain reached (the floor of the
next step's date), the posting in force and the latest district opinion; the policy's guards
(node.services.workflow) judge a step's dates against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import ApplicationEvent
from node.models.review import (
    Complaint,
    DistrictOpinion,
    Meeting,
    MeetingVote,
    Posting,
    PostingItem,
    Verification,
)
from node.services.context import local_day

# The history rows that start a review: the server's day they were entered is its first date.
STARTS = ("start_review", "open_periodic_review")


@dataclass(frozen=True)
class Timeline:
    """The dates an application's review reached."""

    # The latest date of its chain of steps: the next dated step may not come before it.
    floor: date | None = None
    # The latest public posting that listed it, first and last day.
    posting_starts_on: date | None = None
    posting_ends_on: date | None = None
    # The latest district opinion: the decision comes on or after it.
    opinion_on: date | None = None


def load_timelines(session: Session, ids: Iterable[int]) -> dict[int, Timeline]:
    """Each application's timeline (an application with no dated step yet: all None)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    chain: dict[int, list[date]] = {application_id: [] for application_id in ids}
    for application_id, at in session.execute(
        select(ApplicationEvent.application_id, func.max(ApplicationEvent.at))
        .where(ApplicationEvent.application_id.in_(ids), ApplicationEvent.action.in_(STARTS))
        .group_by(ApplicationEvent.application_id)
    ):
        chain[application_id].append(local_day(at))
    for application_id, at in session.execute(
        select(Verification.application_id, func.max(Verification.verified_at))
        .where(Verification.application_id.in_(ids))
        .group_by(Verification.application_id)
    ):
        chain[application_id].append(local_day(at))
    for query in (
        select(MeetingVote.application_id, func.max(Meeting.held_on))
        .join(Meeting, Meeting.id == MeetingVote.meeting_id)
        .where(MeetingVote.application_id.in_(ids))
        .group_by(MeetingVote.application_id),
        select(Complaint.application_id, func.max(Complaint.received_on))
        .where(Complaint.application_id.in_(ids))
        .group_by(Complaint.application_id),
    ):
        for application_id, day in session.execute(query):
            chain[application_id].append(day)
    postings = _latest_postings(session, ids)
    for application_id, (starts_on, _) in postings.items():
        chain[application_id].append(starts_on)
    opinions = dict(
        session.execute(
            select(DistrictOpinion.application_id, func.max(DistrictOpinion.received_on))
            .where(DistrictOpinion.application_id.in_(ids))
            .group_by(DistrictOpinion.application_id)
        ).all()
    )
    return {
        application_id: Timeline(
            floor=max(days, default=None),
            posting_starts_on=postings.get(application_id, (None, None))[0],
            posting_ends_on=postings.get(application_id, (None, None))[1],
            opinion_on=opinions.get(application_id),
        )
        for application_id, days in chain.items()
    }


def _latest_postings(session: Session, ids: list[int]) -> dict[int, tuple[date, date]]:
    """The first and last day of the latest public posting of each application."""
    latest: dict[int, tuple[date, date]] = {}
    # Later postings come last, so an application posted again keeps its latest.
    for application_id, starts_on, ends_on in session.execute(
        select(PostingItem.application_id, Posting.starts_on, Posting.ends_on)
        .join(Posting, Posting.id == PostingItem.posting_id)
        .where(PostingItem.application_id.in_(ids))
        .order_by(Posting.id)
    ):
        latest[application_id] = (starts_on, ends_on)
    return latest
