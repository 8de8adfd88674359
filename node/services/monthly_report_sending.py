"""The monthly report of the regular review marked as sent to the province (Decision 24/2021
Art. 7): a commune officer or chair marks it once per commune and month (audited; a second time
is a conflict, and the unique key holds against two clicks at once); the province sees which
communes sent theirs; the commune's worklist shows the latest report owed, overdue after its
due day until it is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from node.models.snapshots import MonthlyReportSending
from node.services.errors import ValidationFailed
from node.services.monthly_report import due_on
from node.services.report_sending import (
    SENDERS,
    record_sending,
    sent_by_commune,
    sent_moment,
)
from node.services.scopes import Official
from shared.errors import require_role

# How far back the worklist looks for the latest month reported on (a whole year's cycle).
LOOKBACK_MONTHS = 12


@dataclass(frozen=True)
class ReportOwed:
    """The latest monthly report the commune has not sent: its month, due day, and whether the
    due day is past."""

    month: date
    due_on: date
    overdue: bool


def send_monthly_report(
    session: Session, official: Official, month: date, now: datetime, today: date
) -> MonthlyReportSending:
    """Record that the official's commune sent its report on ``month`` (its first day)."""
    require_role(official, *SENDERS)
    if month >= today.replace(day=1):
        raise ValidationFailed("The month is not over yet.", {"month": "not_over"})
    if due_on(month) is None:
        raise ValidationFailed("No monthly report is due for this month.", {"month": "not_due"})
    commune = official.commune_code
    sending = MonthlyReportSending(commune_code=commune, month=month, sent_at=now,
                                   sent_by=official.user_id)  # fmt: skip
    # A report already sent is refused by the table's unique key (record_sending).
    record_sending(session, official, sending, "send_monthly_report", now,
                   {"unit": commune, "month": f"{month:%Y-%m}"})  # fmt: skip
    return sending


def sent_at(session: Session, commune: str | None, month: date) -> datetime | None:
    """When the commune's report on ``month`` was sent, or None."""
    return sent_moment(session, MonthlyReportSending.month, commune, month)


def sendings(session: Session, month: date) -> dict[str, datetime]:
    """Every commune's sending of its report on ``month``, by commune code."""
    return sent_by_commune(session, MonthlyReportSending.month, month)


def latest_reported_month(today: date) -> date | None:
    """The latest month before today's whose report is due (January to August)."""
    month = today.replace(day=1)
    for _ in range(LOOKBACK_MONTHS):
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        if due_on(month) is not None:
            return month
    return None


def report_owed(session: Session, commune: str, today: date) -> ReportOwed | None:
    """The latest report the commune owes (due soon, or overdue), None once it is sent."""
    month = latest_reported_month(today)
    due = due_on(month) if month else None
    if month is None or due is None or sent_at(session, commune, month) is not None:
        return None
    return ReportOwed(month, due, today > due)
