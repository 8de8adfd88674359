"""The annual report of the periodic review marked as sent to the province: a commune officer or
chair marks it once per commune and period (the year the lists take effect: the review held from
September to December of the year before); the province sees which communes sent theirs; the
commune's worklist shows it from the day the review closes until it is sent, overdue after the
due day (procedure data ``annual_report_due``, provisional)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from node.models.snapshots import AnnualReportSending
from node.services.errors import ValidationFailed
from node.services.report_sending import (
    SENDERS,
    record_sending,
    sent_by_commune,
    sent_moment,
)
from node.services.scopes import Official
from shared.errors import require_role
from shared.procedure import procedure_value


@dataclass(frozen=True)
class AnnualReportOwed:
    """The annual report the commune has not sent: its period, due day, and whether it is past."""

    period: int
    due_on: date
    overdue: bool


def _day_of(year: int, key: str, index: int | None = None) -> date:
    value = procedure_value(key)
    month, day = (value[index] if index is not None else value).split("-")
    return date(year, int(month), int(day))


def review_closes_on(period: int) -> date:
    """The last day of the periodic review that set the lists of ``period`` (held the year
    before)."""
    return _day_of(period - 1, "periodic_review_window", 1)


def due_on(period: int) -> date:
    """The day the commune's report on the review for ``period`` is due to the province."""
    return _day_of(period - 1, "annual_report_due")


def send_annual_report(
    session: Session, official: Official, period: int, now: datetime, today: date
) -> AnnualReportSending:
    """Record that the official's commune sent its annual report on ``period``."""
    require_role(official, *SENDERS)
    if not 2000 <= period <= 2100:
        raise ValidationFailed("The period is not valid.", {"period": "invalid"})
    if today <= review_closes_on(period):
        raise ValidationFailed("The periodic review is not over yet.", {"period": "not_over"})
    commune = official.commune_code
    sending = AnnualReportSending(commune_code=commune, period=period, sent_at=now,
                                  sent_by=official.user_id)  # fmt: skip
    # A report already sent is refused by the table's unique key (record_sending).
    record_sending(session, official, sending, "send_annual_report", now,
                   {"unit": commune, "period": period})  # fmt: skip
    return sending


def sent_at(session: Session, commune: str | None, period: int) -> datetime | None:
    """When the commune's report on ``period`` was sent, or None."""
    return sent_moment(session, AnnualReportSending.period, commune, period)


def sendings(session: Session, period: int) -> dict[str, datetime]:
    """Every commune's sending of its report on ``period``, by commune code."""
    return sent_by_commune(session, AnnualReportSending.period, period)


def latest_reported_period(today: date) -> int:
    """The period of the latest periodic review that has closed by ``today``."""
    return today.year + 1 if today > review_closes_on(today.year + 1) else today.year


def annual_report_owed(session: Session, commune: str, today: date) -> AnnualReportOwed | None:
    """The latest annual report the commune owes, None once it is sent."""
    period = latest_reported_period(today)
    if sent_at(session, commune, period) is not None:
        return None
    due = due_on(period)
    return AnnualReportOwed(period, due, today > due)
