"""What the node's /metrics reports about its work (node/metrics.py): counts read on a scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import STATUSES, Application
from node.models.audit import AuditEntry
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


# The audit actions that read or export personal data (node.services.access_report names
# their records); a busy account among them is what the bulk-read alert watches.
ACCESS_ACTIONS = (
    "read",
    "list_applications",
    "report_r5",
    "print_posting",
    "print_minutes",
    "read_decision",
    "print_certificate",
    "list_data_requests",
    "export_audit_log",
    "list_low_income_workers",
    "list_average_livelihood",
    "print_confirmation_decision",
)
ACCESS_WINDOW = timedelta(minutes=15)


def busiest_accounts(session: Session, now: datetime) -> dict[str, int]:
    """Per role, the most reads and exports of personal data one account made in the last
    ACCESS_WINDOW — the account itself not named (`giamngheo node access-report` names it).
    One query through the audit log's index on ``at``."""
    rows = session.execute(
        select(AuditEntry.role, AuditEntry.user_id, func.count())
        .where(AuditEntry.at >= as_utc(now) - ACCESS_WINDOW, AuditEntry.action.in_(ACCESS_ACTIONS))
        .group_by(AuditEntry.role, AuditEntry.user_id)
    ).all()
    busiest: dict[str, int] = {}
    for role, _user_id, count in rows:
        busiest[role] = max(busiest.get(role, 0), int(count))
    return busiest
