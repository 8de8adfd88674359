"""The officer's home screen: what is due, in deadline order, overdue first (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.services.calendar import WorkingCalendar, load_calendar
from node.services.context import NodeContext
from node.services.scopes import Official, application_scope, require_role
from node.services.steps import READERS
from node.services.workflow import OPEN_STATUSES, Standing, allowed_actions, load_standings

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
    applications = list(
        session.scalars(
            select(Application).where(
                application_scope(official), Application.status.in_(OPEN_STATUSES)
            )
        )
    )
    standings = load_standings(session, official, applications, context)
    items = [
        _item(official, application, standings[application.id], calendar, context.today)
        for application in applications
    ]
    return sorted(items, key=lambda item: (not item.overdue, item.due_on or date.max))


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
        next_step=NEXT_STEP[application.status],
        due_on=due,
        working_days_left=left,
        overdue=due is not None and due < today,
        posting_ends_on=standing.posting_ends_on if application.status == "posted" else None,
        actions=allowed_actions(official, application, standing),
    )
