"""National, provincial and commune figures from the current snapshots, summed in SQL.

Every figure comes from the snapshot each node served last for the period (``is_current``) and
is computed set-based (SUM … GROUP BY), never by looping over rows in Python. A count a node
suppressed (small-cell suppression) is null: sums skip it, and a sum of suppressed cells only
is null too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import Session

from hub.models.snapshots import Snapshot, SnapshotDeprivation, SnapshotRow
from hub.services.errors import ValidationFailed
from shared import units
from shared.schemas import COUNT_FIELDS

LEVELS = ("national", "province", "commune")
NATIONAL_CODE = "VN"
NATIONAL_NAME = "Việt Nam"


def periods(session: Session) -> list[int]:
    """The periods some province has a current snapshot for, latest first."""
    query = (
        select(Snapshot.period)
        .where(Snapshot.is_current.is_(True))
        .group_by(Snapshot.period)
        .order_by(Snapshot.period.desc())
    )
    return list(session.scalars(query))


def latest_period(session: Session) -> int | None:
    """The latest period with data, or None before the first pull."""
    return session.scalar(select(func.max(Snapshot.period)).where(Snapshot.is_current.is_(True)))


def reporting_provinces(session: Session, period: int) -> list[str]:
    """The codes of the provinces with a current snapshot for the period."""
    query = (
        select(Snapshot.province_code)
        .where(Snapshot.period == period, Snapshot.is_current.is_(True))
        .order_by(Snapshot.province_code)
    )
    return list(session.scalars(query))


def check_query(level: str, code: str | None) -> str | None:
    """The code, checked against the level; raises ValidationFailed."""
    code = (code or "").strip() or None
    if level not in LEVELS:
        raise ValidationFailed("Unknown level.", {"level": f"Must be one of: {', '.join(LEVELS)}."})
    if level == "national" and code not in (None, NATIONAL_CODE):
        raise ValidationFailed("Bad code.", {"code": "The national level takes no code (or VN)."})
    if level == "commune" and code is None:
        raise ValidationFailed(
            "A province is needed.", {"code": "The commune level needs a province code."}
        )
    if level != "national" and code is not None and not units.is_province_code(code):
        raise ValidationFailed(
            "Unknown province.", {"code": f"{code!r} is not one of the 34 province codes."}
        )
    return None if level == "national" else code


def stats(
    session: Session, *, period: int, level: str, code: str | None = None
) -> list[dict[str, Any]]:
    """The summed counts and deprivations per unit of the level; raises ValidationFailed.

    national: one item, VN (zeros before any data); province: each province with data, or the
    one ``code``; commune: the communes of province ``code`` that its snapshot lists.
    """
    code = check_query(level, code)
    key = _key(level, SnapshotRow)
    dkey = _key(level, SnapshotDeprivation)
    counts = _current(
        select(key.label("code"), *_sums()),
        SnapshotRow,
        period,
        code,
    )
    deprived = _current(
        select(
            dkey.label("code"),
            SnapshotDeprivation.indicator,
            func.sum(SnapshotDeprivation.households).label("households"),
        ),
        SnapshotDeprivation,
        period,
        code,
    )
    if level != "national":
        counts = counts.group_by(key).order_by(key)
        deprived = deprived.group_by(dkey, SnapshotDeprivation.indicator)
    else:
        deprived = deprived.group_by(SnapshotDeprivation.indicator)
    by_unit: dict[str, dict[str, int | None]] = {}
    for unit_code, indicator, households in session.execute(deprived):
        by_unit.setdefault(unit_code, {})[indicator] = households
    items = []
    for row in session.execute(counts).mappings():
        values = {name: row[name] for name in COUNT_FIELDS}
        if level == "national" and all(value is None for value in values.values()):
            values = dict.fromkeys(COUNT_FIELDS, 0)
        items.append(
            {
                "code": row["code"],
                "name": unit_name(level, row["code"]),
                **values,
                "deprived": dict(sorted(by_unit.get(row["code"], {}).items())),
            }
        )
    return items


def empty_national() -> list[dict[str, Any]]:
    """The national item before any data: zeros."""
    return [
        {
            "code": NATIONAL_CODE,
            "name": NATIONAL_NAME,
            **dict.fromkeys(COUNT_FIELDS, 0),
            "deprived": {},
        }
    ]


def trends(session: Session) -> list[dict[str, Any]]:
    """National sums per period, oldest first, with the number of provinces reporting."""
    query = (
        select(
            Snapshot.period,
            func.count(func.distinct(Snapshot.province_code)).label("provinces"),
            *_sums(),
        )
        .join(Snapshot, Snapshot.id == SnapshotRow.snapshot_pk)
        .where(Snapshot.is_current.is_(True))
        .group_by(Snapshot.period)
        .order_by(Snapshot.period)
    )
    return [dict(row) for row in session.execute(query).mappings()]


def unit_name(level: str, code: str) -> str:
    """The official name of the unit (from shared.units), or the code if it is unknown."""
    if level == "national":
        return NATIONAL_NAME
    try:
        return units.province(code).name if level == "province" else units.commune(code).name
    except units.UnknownUnit:
        return code


def _key(level: str, table: Table) -> ColumnElement[Any]:
    if level == "province":
        return table.province_code
    if level == "commune":
        return table.commune_code
    return literal(NATIONAL_CODE)


def _sums() -> list[Any]:
    return [func.sum(getattr(SnapshotRow, name)).label(name) for name in COUNT_FIELDS]


Table = type[SnapshotRow] | type[SnapshotDeprivation]


def _current(query: Select[Any], table: Table, period: int, code: str | None) -> Select[Any]:
    query = query.join(Snapshot, Snapshot.id == table.snapshot_pk).where(
        Snapshot.is_current.is_(True), Snapshot.period == period
    )
    if code is not None:
        query = query.where(table.province_code == code)
    return query
