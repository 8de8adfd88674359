"""Signals worth a look (issue 16): what a central analyst checks first, from the aggregates
alone — no personal data crosses for them. Each signal names the province or commune, the
figures behind it and the threshold it passed; the thresholds are settings (hub/config.py).

- ``rate_moved``: a poor or near-poor rate moved by more than the set points since the previous
  period (a province's, or a commune's with enough households both times).
- ``unanimous``: every village-meeting vote of a commune agreed unanimously (enough of them).
- ``class_changed``: a high share of a commune's verified files changed class at verification.
- ``overdue``: files past their decision deadline piling up in a commune.
- ``quiet``: a commune with households but no activity at all once the periodic review window
  has been open a while.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from hub.models.snapshots import SnapshotRow
from hub.services import stats
from shared import units

KINDS = ("rate_moved", "unanimous", "class_changed", "overdue", "quiet")


@dataclass(frozen=True)
class Thresholds:
    """The settings signals are judged by."""

    rate_points: float = 3.0
    min_households: int = 30
    unanimous_min_votes: int = 10
    class_change_share: float = 30.0
    class_change_min: int = 10
    overdue_min: int = 10
    quiet_days: int = 14
    window_start: tuple[int, int] = (9, 1)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Thresholds:
        """The SIGNAL_* settings of an app's config."""
        month, day = (int(part) for part in config["REVIEW_WINDOW"][0].split("-"))
        return cls(
            rate_points=float(config["SIGNAL_RATE_POINTS"]),
            min_households=int(config["SIGNAL_MIN_HOUSEHOLDS"]),
            unanimous_min_votes=int(config["SIGNAL_UNANIMOUS_MIN_VOTES"]),
            class_change_share=float(config["SIGNAL_CLASS_CHANGE_SHARE"]),
            class_change_min=int(config["SIGNAL_CLASS_CHANGE_MIN"]),
            overdue_min=int(config["SIGNAL_OVERDUE_MIN"]),
            quiet_days=int(config["SIGNAL_QUIET_DAYS"]),
            window_start=(month, day),
        )


@dataclass(frozen=True)
class Signal:
    """One thing to look at: where, what was found, against which threshold."""

    kind: str
    province_code: str
    commune_code: str | None
    name: str
    value: float
    threshold: float
    before: float | None = None
    measure: str | None = None


def signals(session: Session, period: int, today: date, limits: Thresholds) -> list[Signal]:
    """Every signal of the period, by kind then place."""
    ids = stats.snapshot_ids(period)
    found = [
        *_rate_moves(session, period, limits),
        *_commune_signals(session, ids, limits),
        *_quiet(session, ids, period, today, limits),
    ]
    return sorted(found, key=lambda s: (KINDS.index(s.kind), s.province_code, s.commune_code or ""))


def _commune_name(code: str) -> str:
    return stats.unit_name("commune", code)


def _commune_signals(session: Session, ids: Any, limits: Thresholds) -> list[Signal]:
    r = SnapshotRow
    query = select(r).where(
        r.snapshot_pk.in_(ids),
        or_(
            and_(r.meeting_votes >= limits.unanimous_min_votes,
                 r.meeting_votes_unanimous == r.meeting_votes),
            r.verified_class_changed * 100 >= r.verified * limits.class_change_share,
            r.applications_overdue >= limits.overdue_min,
        ),
    ).order_by(r.commune_code)  # fmt: skip
    found = []
    for row in session.scalars(query):
        name = _commune_name(row.commune_code)
        place = (row.province_code, row.commune_code, name)
        votes, unanimous = row.meeting_votes or 0, row.meeting_votes_unanimous
        if votes >= limits.unanimous_min_votes and unanimous == votes:
            found.append(Signal("unanimous", *place, votes, limits.unanimous_min_votes))
        verified, changed = row.verified or 0, row.verified_class_changed or 0
        share_passed = changed * 100 >= verified * limits.class_change_share
        if verified >= limits.class_change_min and share_passed:
            share = round(100 * changed / verified, 1)
            found.append(Signal("class_changed", *place, share, limits.class_change_share))
        if (row.applications_overdue or 0) >= limits.overdue_min:
            found.append(Signal("overdue", *place, row.applications_overdue, limits.overdue_min))
    return found


def _quiet(
    session: Session, ids: Any, period: int, today: date, limits: Thresholds
) -> list[Signal]:
    """Communes with households and no activity at all, once the window has been open a while
    (a v1 snapshot carries no activity: nothing to say)."""
    month, day = limits.window_start
    if today < date(period, month, day) + timedelta(days=limits.quiet_days):
        return []
    r = SnapshotRow
    query = select(r.province_code, r.commune_code, r.households_total).where(
        r.snapshot_pk.in_(ids),
        r.households_total > 0,
        r.applications_received == 0,
        r.verified == 0,
        r.meeting_votes == 0,
    ).order_by(r.commune_code)  # fmt: skip
    return [
        Signal("quiet", province, commune, _commune_name(commune), households, limits.quiet_days)
        for province, commune, households in session.execute(query)
    ]


def _rate_moves(session: Session, period: int, limits: Thresholds) -> list[Signal]:
    """Provinces and communes whose rate moved more than the set points since the period
    before (the nodes' figures, else the published ones for a province)."""
    found = []
    now = {i["code"]: stats.with_rates(i) for i in stats.stats(session, period=period,
                                                                level="province")}  # fmt: skip
    before = {i["code"]: stats.with_rates(i) for i in stats.stats(session, period=period - 1,
                                                                   level="province")}  # fmt: skip
    for code, item in now.items():
        if item["source"] != stats.NODE or code not in before:
            continue
        name = units.province(code).name
        found += _moved(code, None, name, item, before[code], limits)
    current, previous = aliased(SnapshotRow), aliased(SnapshotRow)
    pairs = session.execute(
        select(current, previous)
        .join(previous, previous.commune_code == current.commune_code)
        .where(
            current.snapshot_pk.in_(stats.snapshot_ids(period)),
            previous.snapshot_pk.in_(stats.snapshot_ids(period - 1)),
            current.households_total >= limits.min_households,
            previous.households_total >= limits.min_households,
        )
        .order_by(current.commune_code)
    )
    for row, old in pairs:
        found += _moved(
            row.province_code, row.commune_code, _commune_name(row.commune_code),
            stats.with_rates(_counts(row)), stats.with_rates(_counts(old)), limits,
        )  # fmt: skip
    return found


def _counts(row: SnapshotRow) -> dict[str, Any]:
    return {"households_total": row.households_total, "poor": row.poor,
            "near_poor": row.near_poor}  # fmt: skip


def _moved(
    province: str, commune: str | None, name: str, now: dict, before: dict, limits: Thresholds
) -> list[Signal]:
    found = []
    for measure in ("poor_rate", "near_poor_rate"):
        value, old = now.get(measure), before.get(measure)
        if value is not None and old is not None and abs(value - old) > limits.rate_points:
            found.append(
                Signal("rate_moved", province, commune, name, value, limits.rate_points,
                       before=old, measure=measure)
            )  # fmt: skip
    return found
