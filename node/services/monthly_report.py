"""The monthly report of the regular review (Decision 24/2021 Art. 7): the commune reports on the
5th of each month, February to September, what the regular review did in the month before
(to the province since 1/7/2025). Counted from the node's data: applications received, the
chair's decisions of the month (new poor and near-poor, exits, the average-livelihood list,
the low-income workers, refusals). The due day is data (shared/procedure, provisional)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.households import HouseholdStatus
from node.models.review import Decision, DecisionItem
from node.services.reports import report_unit
from node.services.scopes import Official
from shared.procedure import procedure_value

# The months whose report is due (on the 5th of the next month, February to September).
REPORTED_MONTHS = range(1, 9)
VIETNAM_OFFSET = timedelta(hours=7)
# The report's lines, in order: key, Vietnamese, English.
LINES = (
    ("received_enter", "Giấy đề nghị rà soát (Mẫu số 01) nhận trong tháng",
     "Requests for review (form 01) received"),
    ("received_exit",
     "Giấy đề nghị công nhận thoát nghèo, thoát cận nghèo (Mẫu số 04) nhận trong tháng",
     "Requests to exit (form 04) received"),
    ("received_average",
     "Giấy đề nghị xác định hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức "
     "sống trung bình nhận trong tháng",
     "Requests to identify a household with an average living standard received"),
    ("received_low_income",
     "Đề nghị xác định người lao động có thu nhập thấp nhận trong tháng",
     "Requests to identify low-income workers received"),
    ("new_poor", "Hộ nghèo phát sinh được công nhận", "Newly recognised poor households"),
    ("new_near_poor", "Hộ cận nghèo phát sinh được công nhận",
     "Newly recognised near-poor households"),
    ("exited_poor", "Hộ thoát nghèo", "Households out of poverty"),
    ("exited_near_poor", "Hộ thoát cận nghèo", "Households out of near-poverty"),
    ("average_livelihood",
     "Hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình",
     "Farming, forestry, fishery and salt households with an average living standard"),
    # Persons, not households (Decree 30/2025): the members of the month's decided households.
    ("low_income_workers", "Người lao động có thu nhập thấp (người)",
     "Low-income workers (persons)"),
    ("refused", "Hồ sơ không được công nhận", "Applications refused"),
)  # fmt: skip


@dataclass(frozen=True)
class MonthlyReport:
    """One unit's figures for one month, and when the report is due (None: not a report month)."""

    unit: str
    month: date
    due_on: date | None
    figures: dict[str, int]


def due_on(month: date) -> date | None:
    """The day the report on ``month`` is due: the procedure's day of the next month, for
    January to August (reports due February to September); None for the other months."""
    if month.month not in REPORTED_MONTHS:
        return None
    return date(month.year, month.month + 1, procedure_value("monthly_report_day"))


def monthly_report(
    session: Session, official: Official, province_code: str, month: date, unit: str | None
) -> MonthlyReport:
    """The figures of ``month`` (its first day) for the official's commune or the province."""
    unit = report_unit(official, province_code, unit)
    start, end = month, _next_month(month)
    commune = None if unit == province_code else unit
    figures = {key: 0 for key, _, _ in LINES}
    figures.update(_received(session, commune, start, end))
    figures.update(_decided(session, commune, start, end))
    return MonthlyReport(unit, month, due_on(month), figures)


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` in ASCII digits (years 2000–2100) as the month's first day, or None."""
    text = text or ""
    if not (len(text) == 7 and text.isascii() and text[4] == "-"):
        return None
    year, month = text[:4], text[5:]
    if not (year.isdigit() and month.isdigit() and 2000 <= int(year) <= 2100):
        return None
    return date(int(year), int(month), 1) if 1 <= int(month) <= 12 else None


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    """00:00 in Vietnam on ``day``, as an aware UTC moment."""
    return datetime.combine(day, time(), tzinfo=UTC) - VIETNAM_OFFSET


def _received(session: Session, commune: str | None, start: date, end: date) -> dict[str, int]:
    a = Application
    query = (
        select(a.kind, func.count())
        .where(a.submitted_at >= _midnight(start), a.submitted_at < _midnight(end))
        .where(a.channel != "periodic")
        .group_by(a.kind)
    )
    if commune:
        query = query.where(a.commune_code == commune)
    return {f"received_{kind}": count for kind, count in session.execute(query)}


def _decided(session: Session, commune: str | None, start: date, end: date) -> dict[str, int]:
    s = HouseholdStatus
    query = select(
        s.classification, s.previous_classification, s.average_livelihood, s.low_income_workers
    ).where(s.decided_on >= start, s.decided_on < end)
    refused = (
        select(func.count())
        .select_from(DecisionItem)
        .join(Decision, Decision.id == DecisionItem.decision_id)
        .where(DecisionItem.outcome == "refused")
        .where(Decision.decided_on >= start, Decision.decided_on < end)
    )
    if commune:
        query = query.where(s.commune_code == commune)
        refused = refused.where(Decision.commune_code == commune)
    counts = {"refused": session.scalar(refused) or 0, "low_income_workers": 0}
    for now, before, listed, workers in session.execute(query):
        for key in _changes(now, before, listed):
            counts[key] = counts.get(key, 0) + 1
        counts["low_income_workers"] += workers
    return counts


def _changes(now: str, before: str | None, listed: bool) -> list[str]:
    """The report's lines a household's decided status counts in."""
    keys = []
    if now == "poor" and before != "poor":
        keys.append("new_poor")
    if now == "near_poor" and before not in ("poor", "near_poor"):
        keys.append("new_near_poor")
    if before == "poor" and now != "poor":
        keys.append("exited_poor")
    if before == "near_poor" and now not in ("poor", "near_poor"):
        keys.append("exited_near_poor")
    if now == "average" and listed:
        keys.append("average_livelihood")
    return keys
