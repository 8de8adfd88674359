"""The officer's home screen: what is due, in deadline order, overdue first (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.review import Posting, PostingItem
from node.services.calendar import WorkingCalendar, load_calendar
from node.services.context import NodeContext
from node.services.scopes import Official, application_scope, require_role
from node.services.steps import READERS
from node.services.workflow import allowed_actions

OPEN_STATUSES = ("submitted", "under_review", "meeting_held", "posted")
# What each status waits for, in the officer's words (translated by the views).
NEXT_STEP = {
    "submitted": "start the review and assign a reviewer",
    "under_review": "verify at the household, then hold the village meeting",
    "meeting_held": "post the results publicly",
    "posted": "the chair decides after the posting ends",
}


@dataclass(frozen=True)
class WorkItem:
    """One application on the worklist, with its deadline in working days."""

    application: Application
    next_step: str
    due_on: date | None
    working_days_left: int | None
    overdue: bool
    posting_ends_on: date | None
    actions: list[str]


def worklist(session: Session, official: Official, context: NodeContext) -> list[WorkItem]:
    """Open applications in the official's scope: overdue first, then by deadline."""
    require_role(official, *READERS)
    calendar = load_calendar(session)
    rows = session.execute(
        select(Application, Posting.ends_on)
        .outerjoin(PostingItem, PostingItem.application_id == Application.id)
        .outerjoin(Posting, Posting.id == PostingItem.posting_id)
        .where(application_scope(official), Application.status.in_(OPEN_STATUSES))
        # Later postings come last, so an application posted again keeps its latest end date.
        .order_by(Application.id, Posting.id)
    )
    items: dict[int, WorkItem] = {}
    for application, posting_ends_on in rows:
        items[application.id] = _item(application, posting_ends_on, calendar, context.today)
    return sorted(items.values(), key=lambda item: (not item.overdue, item.due_on or date.max))


def _item(
    application: Application,
    posting_ends_on: date | None,
    calendar: WorkingCalendar,
    today: date,
) -> WorkItem:
    due = application.due_on
    left = calendar.working_days_between(today, due) if due else None
    return WorkItem(
        application=application,
        next_step=NEXT_STEP[application.status],
        due_on=due,
        working_days_left=left,
        overdue=due is not None and due < today,
        posting_ends_on=posting_ends_on if application.status == "posted" else None,
        actions=allowed_actions(application.status),
    )
