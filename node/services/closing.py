"""The year close (chốt số liệu): the province approves a period's results by its People's
Committee's decision, and the period's snapshot becomes official (DESIGN §6, §8).

A close records the decision's number and date and the hash of the figures it approves, and
rebuilds the snapshot, which then carries ``official``. Figures that change afterwards make the
snapshot provisional again (``official`` null) — never a silent edit of the approved ones — until
the province closes the period again: a new revision, with its own decision.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.snapshots import PeriodClose, Snapshot
from node.services import aggregates, audit
from node.services.context import NodeContext
from node.services.errors import Conflict, ValidationFailed
from node.services.periods import current_period
from node.services.scopes import PROVINCE_ADMIN, Official, require_role
from shared.schemas.aggregates import DECISION_NUMBER, MAX_REVISION
from shared.standards import UnknownStandard, standard_for

_DECISION = re.compile(DECISION_NUMBER)


def normalize_decision_number(text: str) -> str | None:
    """The decision number as the snapshot carries it (NFC, capitals, no spaces around), or None
    when it is not one: "123/qđ-ubnd " → "123/QĐ-UBND"."""
    if not isinstance(text, str) or len(text) > 60:
        return None
    number = unicodedata.normalize("NFC", text).strip().upper()
    return number if _DECISION.fullmatch(number) else None


def check_close(
    period: int | None, decision_number: str | None, decided_on: date | None, today: date
) -> tuple[int, str, date]:
    """The close's period, decision number and date, checked; raises ValidationFailed naming
    every bad field."""
    errors: dict[str, str] = {}
    if type(period) is not int or not 2000 <= period <= current_period(today) + 1:
        errors["period"] = "A year with a national standard, at most next year."
    else:
        try:
            standard_for(period)
        except UnknownStandard:
            errors["period"] = "A year with a national standard, at most next year."
    number = normalize_decision_number(decision_number or "")
    if number is None:
        errors["decision_number"] = "A decision number such as 123/QĐ-UBND."
    if not isinstance(decided_on, date):
        errors["decided_on"] = "A date (YYYY-MM-DD)."
    elif decided_on > today:
        errors["decided_on"] = "The decision's date cannot be in the future."
    elif "period" not in errors and not -1 <= decided_on.year - period <= 1:  # type: ignore[operator]
        errors["decided_on"] = "From the year before the period to the year after."
    if errors:
        raise ValidationFailed("The period cannot be closed.", errors)
    return period, number, decided_on  # type: ignore[return-value]


def close_period(
    session: Session,
    official: Official | None,
    context: NodeContext,
    *,
    period: int,
    decision_number: str,
    decided_on: date,
    suppression_k: int | None = None,
) -> PeriodClose:
    """Close the period: record the decision as the next revision and rebuild the snapshot,
    which becomes official. ``official`` None is the command line (the server's operator).

    Raises ValidationFailed (nothing written) and Conflict when the latest close already
    approved these very figures with this very decision.
    """
    if official is not None:
        require_role(official, PROVINCE_ADMIN)
    period, number, decided_on = check_close(period, decision_number, decided_on, context.today)
    figures = aggregates.snapshot_figures(
        session, context.province_code, period, context.now, suppression_k
    )
    approved = aggregates.figures_hash(figures)
    latest = latest_close(session, period)
    if latest is not None and (latest.figures_hash, latest.decision_number, latest.decided_on) == (
        approved,
        number,
        decided_on,
    ):
        raise Conflict(
            f"Period {period} is already closed with decision {number} (revision "
            f"{latest.revision}) on these very figures."
        )
    revision = (latest.revision + 1) if latest else 1
    if revision > MAX_REVISION:
        raise Conflict(f"Period {period} has been closed {MAX_REVISION} times.")
    close = PeriodClose(
        period=period,
        revision=revision,
        decision_number=number,
        decided_on=decided_on,
        closed_at=context.now,
        closed_by=official.user_id if official else None,
        figures_hash=approved,
        snapshot_id="",
    )
    session.add(close)
    session.flush()
    snapshot = aggregates.build_snapshot(
        session, context.province_code, period, context.now, suppression_k, figures=figures
    )
    close.snapshot_id = snapshot.snapshot_id
    audit.record(
        session, official, "close_period", "period_close", close.id, context.now,
        details={"period": period, "revision": revision, "decision_number": number,
                 "decided_on": decided_on.isoformat(), "snapshot_id": snapshot.snapshot_id},
    )  # fmt: skip
    session.flush()
    return close


def latest_close(session: Session, period: int) -> PeriodClose | None:
    """The period's latest close (its highest revision), or None."""
    return session.scalar(
        select(PeriodClose)
        .where(PeriodClose.period == period)
        .order_by(PeriodClose.revision.desc())
        .limit(1)
    )


def closes(session: Session, official: Official) -> list[dict[str, Any]]:
    """Every close, newest first, each with whether the period's latest snapshot still carries
    it (its figures unchanged since) — for the province admin's page."""
    require_role(official, PROVINCE_ADMIN)
    rows = session.scalars(
        select(PeriodClose).order_by(PeriodClose.period.desc(), PeriodClose.revision.desc())
    ).all()
    latest_ids = dict(
        session.execute(
            select(Snapshot.period, Snapshot.snapshot_id).where(
                Snapshot.id.in_(select(func.max(Snapshot.id)).group_by(Snapshot.period))
            )
        ).all()
    )
    newest = {}
    for close in rows:
        newest.setdefault(close.period, close.revision)
    return [
        {
            "close": close,
            "latest": newest[close.period] == close.revision,
            "in_force": newest[close.period] == close.revision
            and latest_ids.get(close.period) == close.snapshot_id,
        }
        for close in rows
    ]
