"""What the node's /metrics reports about its work (node/metrics.py): counts read on a scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import STATUSES, Application
from node.models.snapshots import Snapshot
from node.services.worklist import OPEN_STATUSES
from shared.moments import as_utc


@dataclass(frozen=True)
class WorkCounts:
    """Applications by status (every status, zeros included), the overdue open ones, and when
    the newest aggregate snapshot was built (None before the first)."""

    by_status: dict[str, int]
    overdue: int
    newest_snapshot_at: datetime | None


def work_counts(session: Session, today: date) -> WorkCounts:
    """Three index-served queries (status, due date, the snapshots' period index)."""
    counted = dict(
        session.execute(select(Application.status, func.count()).group_by(Application.status)).all()
    )
    overdue = session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.due_on < today, Application.status.in_(OPEN_STATUSES))
    )
    newest = session.scalar(select(func.max(Snapshot.generated_at)))
    return WorkCounts(
        by_status={status: int(counted.get(status, 0)) for status in STATUSES},
        overdue=int(overdue or 0),
        newest_snapshot_at=None if newest is None else as_utc(newest),
    )
