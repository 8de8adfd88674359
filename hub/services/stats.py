"""National, provincial and commune figures from the nodes' snapshots, summed in SQL, and the
published results of earlier reviews beside them.

Every node figure comes from one snapshot per province and period, summed set-based (SUM …
GROUP BY), never by looping over rows in Python: for the signed-in pages and API the snapshot
each node served last (``is_current``: official or provisional), for open data the latest
official one (the province closed the period; its highest revision). A count a node suppressed
(small-cell suppression) is null: sums skip it, and a sum of suppressed cells only is null too.
Where no node has figures for a period, the published ones (hub.services.published) answer,
marked ``source: "published"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, select
from sqlalchemy.orm import Session

from hub.models.snapshots import Snapshot, SnapshotDeprivation, SnapshotRow
from hub.services import published
from hub.services.errors import ValidationFailed
from shared import units
from shared.schemas import COUNT_FIELDS

LEVELS = ("national", "province", "commune")
NATIONAL_CODE = "VN"
NATIONAL_NAME = "Việt Nam"
NODE, PUBLISHED = "node", "published"
PROJECTED = ("projected_households", "projected_poor", "projected_near_poor",
             "projected_current_poor", "projected_current_near_poor")  # fmt: skip


@dataclass(frozen=True)
class Figures:
    """The snapshot a province's figures of a period come from, and what makes them official."""

    province_code: str
    snapshot_id: str
    generated_at: Any
    official_revision: int | None
    decision_number: str | None
    decided_on: date | None
    signature: str | None

    @property
    def official(self) -> bool:
        return self.official_revision is not None

    def source(self) -> dict[str, Any]:
        """Where the figures come from, as open data gives it."""
        return {
            "kind": "node",
            "province_code": self.province_code,
            "snapshot_id": self.snapshot_id,
            "signature": self.signature,
            "decision_number": self.decision_number,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
            "revision": self.official_revision,
        }


def snapshot_ids(period: int, *, official: bool = False) -> Select[Any]:
    """The ids of the snapshot each province counts with for the period: its current one, or
    (``official``) its latest official one — the highest revision, latest generated."""
    if not official:
        return select(Snapshot.id).where(Snapshot.period == period, Snapshot.is_current.is_(True))
    latest = (
        select(Snapshot.province_code, func.max(Snapshot.official_revision).label("revision"))
        .where(Snapshot.period == period, Snapshot.official_revision.is_not(None))
        .group_by(Snapshot.province_code)
        .subquery()
    )
    return (
        select(func.max(Snapshot.id))
        .join(
            latest,
            and_(
                Snapshot.province_code == latest.c.province_code,
                Snapshot.official_revision == latest.c.revision,
            ),
        )
        .where(Snapshot.period == period)
        .group_by(Snapshot.province_code)
    )


def figures_of(session: Session, period: int, *, official: bool = False) -> dict[str, Figures]:
    """Province code → the snapshot its figures of the period come from."""
    rows = session.scalars(
        select(Snapshot).where(Snapshot.id.in_(snapshot_ids(period, official=official)))
    )
    return {
        s.province_code: Figures(s.province_code, s.snapshot_id, s.generated_at,
                                 s.official_revision, s.decision_number, s.decided_on, s.signature)
        for s in rows
    }  # fmt: skip


def node_periods(session: Session) -> list[int]:
    """The periods some province has a current snapshot for, latest first."""
    query = (
        select(Snapshot.period)
        .where(Snapshot.is_current.is_(True))
        .group_by(Snapshot.period)
        .order_by(Snapshot.period.desc())
    )
    return list(session.scalars(query))


def periods(session: Session) -> list[int]:
    """Every period with figures, the nodes' or published ones, latest first."""
    return sorted(set(node_periods(session)) | set(published.periods()), reverse=True)


def latest_period(session: Session) -> int | None:
    """The latest period with node figures, else the latest published one, else None."""
    latest = session.scalar(select(func.max(Snapshot.period)).where(Snapshot.is_current.is_(True)))
    if latest is not None:
        return latest
    return max(published.periods(), default=None)


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
    session: Session,
    *,
    period: int,
    level: str,
    code: str | None = None,
    official: bool = False,
) -> list[dict[str, Any]]:
    """The summed counts, deprivations and projection per unit of the level; raises
    ValidationFailed.

    national: one item, VN (the published figures where no node has any, else zeros);
    province: each province with figures (the nodes', else published), or the one ``code``;
    commune: the communes of province ``code`` that its snapshot lists. ``official``: only
    official node figures (open data), else the current ones, official or provisional.
    """
    code = check_query(level, code)
    chosen = figures_of(session, period, official=official)
    items = _node_items(session, period, level, code, official, chosen)
    if level == "national":
        if not chosen:
            found = published.national(period)
            return [_published_item(found)] if found else empty_national()
        return items
    if level == "province":
        have = {item["code"] for item in items}
        extra = [
            _published_item(item)
            for item in published.provinces(period)
            if item["code"] not in have and (code is None or item["code"] == code)
        ]
        return sorted(items + extra, key=lambda item: item["code"])
    return items


def _node_items(
    session: Session,
    period: int,
    level: str,
    code: str | None,
    official: bool,
    chosen: dict[str, Figures],
) -> list[dict[str, Any]]:
    key = _key(level, SnapshotRow)
    dkey = _key(level, SnapshotDeprivation)
    ids = snapshot_ids(period, official=official)
    counts = _within(select(key.label("code"), *_sums()), SnapshotRow, ids, code)
    deprived = _within(
        select(dkey.label("code"), SnapshotDeprivation.indicator,
               func.sum(SnapshotDeprivation.households).label("households")),
        SnapshotDeprivation, ids, code,
    ).where(SnapshotDeprivation.kind == "current")  # fmt: skip
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
        provinces = _provinces_of(level, row["code"], code, chosen)
        if not provinces:
            continue
        values = {name: row[name] for name in COUNT_FIELDS}
        items.append(
            {
                "code": row["code"],
                "name": unit_name(level, row["code"]),
                **values,
                "deprived": dict(sorted(by_unit.get(row["code"], {}).items())),
                **{name: row[name] for name in PROJECTED},
                "official": all(chosen[p].official for p in provinces),
                "source": NODE,
                "sources": [chosen[p].source() for p in provinces],
                "provinces": len(provinces),
            }
        )
    return items


def _provinces_of(
    level: str, unit_code: str, code: str | None, chosen: dict[str, Figures]
) -> list[str]:
    if level == "national":
        return sorted(chosen)
    province_code = unit_code if level == "province" else code
    return [province_code] if province_code in chosen else []


def _published_item(item: dict[str, Any]) -> dict[str, Any]:
    """A published figure as a stats item: the counts published, the others null."""
    values = dict.fromkeys(COUNT_FIELDS)
    values.update({"poor": item["poor"], "near_poor": item["near_poor"]})
    return {
        "code": item["code"],
        "name": item["name"],
        **values,
        "deprived": {},
        **dict.fromkeys(PROJECTED),
        "official": True,
        "source": PUBLISHED,
        "sources": item["sources"],
        "provinces": None,
        "poor_rate": item.get("poor_rate"),
        "near_poor_rate": item.get("near_poor_rate"),
        "poor_near_poor": item.get("poor_near_poor"),
        "poor_near_poor_rate": item.get("poor_near_poor_rate"),
    }


def empty_national() -> list[dict[str, Any]]:
    """The national item before any data: zeros."""
    return [
        {
            "code": NATIONAL_CODE,
            "name": NATIONAL_NAME,
            **dict.fromkeys(COUNT_FIELDS, 0),
            "deprived": {},
            **dict.fromkeys(PROJECTED),
            "official": False,
            "source": NODE,
            "sources": [],
            "provinces": 0,
        }
    ]


def trends(session: Session, province_code: str | None = None) -> list[dict[str, Any]]:
    """Figures per period, oldest first — nationally or for one province: the nodes' where they
    have any (with the number of provinces reporting), else the published ones."""
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
    if province_code is not None:
        query = query.where(Snapshot.province_code == province_code)
    rows = {}
    for row in session.execute(query).mappings():
        chosen = figures_of(session, row["period"])
        if province_code is not None:
            chosen = {k: v for k, v in chosen.items() if k == province_code}
        official = bool(chosen) and all(f.official for f in chosen.values())
        rows[row["period"]] = {**row, "source": NODE, "official": official}
    for period in published.periods():
        if period in rows:
            continue
        found = (
            published.province(period, province_code)
            if province_code
            else published.national(period)
        )
        if found:
            rows[period] = {**_published_item(found), "period": period, "provinces": None}
    return [rows[period] for period in sorted(rows)]


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
    return [
        func.sum(getattr(SnapshotRow, name)).label(name) for name in (*COUNT_FIELDS, *PROJECTED)
    ]


Table = type[SnapshotRow] | type[SnapshotDeprivation]


def _within(query: Select[Any], table: Table, ids: Select[Any], code: str | None) -> Select[Any]:
    query = query.where(table.snapshot_pk.in_(ids))
    if code is not None:
        query = query.where(table.province_code == code)
    return query


def rate(part: int | None, whole: int | None) -> float | None:
    """``part`` as a percentage of ``whole``, two decimals; None without a base."""
    if part is None or not whole:
        return None
    return round(100 * part / whole, 2)


def with_rates(values: dict[str, Any]) -> dict[str, Any]:
    """The values with the poor, near-poor and combined rates: of ``households_total`` where the
    figures have it (the nodes'), else as published (kept as they are)."""
    total = values.get("households_total")
    poor, near = values.get("poor"), values.get("near_poor")
    both = values.get("poor_near_poor")
    if both is None and poor is not None and near is not None:
        both = poor + near
    if not total:
        return {
            **values,
            "poor_rate": values.get("poor_rate"),
            "near_poor_rate": values.get("near_poor_rate"),
            "poor_near_poor": both,
            "poor_near_poor_rate": values.get("poor_near_poor_rate"),
        }
    return {
        **values,
        "poor_rate": rate(poor, total),
        "near_poor_rate": rate(near, total),
        "poor_near_poor": both,
        "poor_near_poor_rate": rate(both, total),
    }
