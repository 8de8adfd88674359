"""The officer's home screen: what is due, in deadline order, overdue first (DESIGN §3).

A page at a time: the open applications of the official's area by deadline (those without one,
not yet in review, last), read through the open applications' partial indexes — 50 entries of
an index walk whatever the size of the province — with only the columns a row of the list shows.
The counts above it (by status, overdue) stop at the paging module's cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select, tuple_, union_all
from sqlalchemy.orm import Session

from node.models.applications import Application, is_open
from node.services.calendar import WorkingCalendar, load_calendar
from node.services.context import NodeContext
from node.services.paging import (
    SUMMARY_COLUMNS,
    Count,
    capped_counts,
    deadline_key,
    parse_deadline_key,
)
from node.services.scopes import Official, application_scope, require_role
from node.services.steps import READERS
from node.services.workflow import (
    OPEN_STATUSES,
    Standing,
    allowed_actions,
    load_standings,
    step_key,
)

# What each status waits for, in the officer's words (translated by the views).
NEXT_STEP = {
    "submitted": "start the review and assign a reviewer",
    "under_review": "verify at the household, then hold the village meeting",
    "under_review_confirmation": "verify at the household, then post the results publicly",
    "meeting_held": "post the results publicly",
    "posted": "the chair decides after the posting ends",
}
PER_PAGE = 50
# The order of the open applications' partial indexes (after the commune): both walks ask for
# it, so the planner walks those indexes (the files without a deadline, by id, at their end)
# rather than the primary key, filtering out every closed file on the way.
DEADLINE_ORDER = (Application.due_on, Application.id)


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


@dataclass(frozen=True)
class WorkPage:
    """A page of the worklist, the token of the next one, and the counts above the list."""

    items: list[WorkItem]
    next_after: str | None
    by_status: dict[str, Count]
    overdue: Count


def worklist(
    session: Session,
    official: Official,
    context: NodeContext,
    *,
    after: str | None = None,
    per_page: int = PER_PAGE,
) -> WorkPage:
    """Open applications in the official's scope: overdue first, then by deadline, a page from
    the ``after`` token of the last row of the page before (None: the first page)."""
    require_role(official, *READERS)
    position = parse_deadline_key(after) if after else None
    per_page = max(1, min(per_page, 200))
    applications = _page(session, official, position, per_page + 1)
    more = len(applications) > per_page
    applications = applications[:per_page]
    calendar = load_calendar(session)
    standings = load_standings(session, official, applications, context)
    items = [
        _item(official, application, standings[application.id], calendar, context.today)
        for application in applications
    ]
    last = applications[-1] if more else None
    counts = _counts(session, official, context.today)
    return WorkPage(
        items=items,
        next_after=deadline_key(last.due_on, last.id) if last else None,
        by_status={status: counts[status] for status in OPEN_STATUSES},
        overdue=counts["overdue"],
    )


def _open(official: Official) -> Select[tuple[Application]]:
    return select(Application).where(application_scope(official), is_open())


def _page(
    session: Session, official: Official, position: tuple[date | None, int] | None, limit: int
) -> list[Application]:
    """Up to ``limit`` open applications from ``position`` on: those with a deadline by
    (deadline, id), then those without by id. One statement of two index walks, each stopped at
    ``limit`` (never a sort of them all), with only the columns a row shows."""
    due, last_id = position if position else (None, 0)
    without = _open(official).where(Application.due_on.is_(None))
    if position is not None and due is None:
        walks = [without.where(Application.id > last_id).order_by(*DEADLINE_ORDER)]
    else:
        with_due = _open(official).where(Application.due_on.is_not(None))
        if position is not None:
            with_due = with_due.where(tuple_(*DEADLINE_ORDER) > tuple_(due, last_id))
        walks = [with_due.order_by(*DEADLINE_ORDER), without.order_by(*DEADLINE_ORDER)]
    parts = [
        select(walk.with_only_columns(*SUMMARY_COLUMNS).limit(limit).subquery()) for walk in walks
    ]
    both = union_all(*parts).subquery()
    query = select(Application).from_statement(
        select(both).order_by(both.c.due_on.is_(None), both.c.due_on, both.c.id).limit(limit)
    )
    return list(session.scalars(query))


def _counts(session: Session, official: Official, today: date) -> dict[str, Count]:
    """The open applications of the area by status, and the overdue ones: capped, in one
    statement."""
    queries = {
        status: select(Application).where(application_scope(official), Application.status == status)
        for status in OPEN_STATUSES
    }
    queries["overdue"] = _open(official).where(Application.due_on < today)
    return capped_counts(session, queries)


def _item(
    official: Official,
    application: Application,
    standing: Standing,
    calendar: WorkingCalendar,
    today: date,
) -> WorkItem:
    due = application.due_on
    left = calendar.working_days_between(today, due) if due else None
    return WorkItem(
        application=application,
        next_step=NEXT_STEP[step_key(application.kind, application.status)],
        due_on=due,
        working_days_left=left,
        overdue=due is not None and due < today,
        posting_ends_on=standing.posting_ends_on if application.status == "posted" else None,
        actions=allowed_actions(official, application, standing),
    )
