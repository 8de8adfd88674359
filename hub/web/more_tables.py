"""The tables of the year-close tracker, the signals, the new standard's impact, the regions, a
commune's history, open data and the 2025 merger — rendered as HTML, CSV and XLSX like the
others (hub.web.tables)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models.snapshots import Snapshot, SnapshotDeprivation, SnapshotRow
from hub.services import impact, published, signals, stats, tracker
from hub.web.tables import (
    COUNT,
    DAY,
    RATE,
    STATUS_COLUMN,
    TEXT,
    Column,
    Table,
    indicator_names,
    measure_columns,
    period_label,
    source_text,
    with_state,
)
from shared import units
from shared.schemas import ACTIVITY_FIELDS

TRACKER_STATES = {
    tracker.CLOSED: _l("Closed: official"),
    tracker.CHANGED: _l("Closed, figures changed since"),
    tracker.PROVISIONAL: _l("Provisional: not closed yet"),
    tracker.NOTHING: _l("No figures"),
}
SIGNAL_KINDS = {
    "rate_moved": _l("Rate moved since the previous period"),
    "unanimous": _l("Every village meeting agreed unanimously"),
    "class_changed": _l("Verification often changed the class"),
    "overdue": _l("Overdue files piling up"),
    "quiet": _l("No activity in the review window"),
}
ACTIVITY = {
    "applications_received": _l("Applications received"),
    "verified": _l("Files verified"),
    "verified_class_changed": _l("Verifications that changed the class"),
    "meeting_votes": _l("Village-meeting votes"),
    "meeting_votes_unanimous": _l("Unanimous votes"),
    "applications_overdue": _l("Files past their deadline"),
}


def tracker_table(session: Session, period: int, today: date) -> Table:
    """All 34 provinces' close of the period: state, decision, date, revision, late."""
    due = tracker.due_date(session, period)
    rows = [
        {
            "code": row.code,
            "name": row.name,
            "status": str(TRACKER_STATES[row.state]),
            "state": "late" if row.late else row.state,
            "decision_number": row.decision_number or "",
            "decided_on": row.decided_on,
            "revision": row.revision,
            "late": str(_l("Late")) if row.late else "",
        }
        for row in tracker.tracker(session, period, today)
    ]
    subtitle = period_label(period)
    if due:
        subtitle += " · " + str(_l("due %(day)s", day=due.strftime("%d/%m/%Y")))
    return Table(
        name=f"tracker-{period}",
        title=_l("Year close by province"),
        columns=[
            Column("code", _l("Code"), TEXT),
            Column("name", _l("Province/city"), TEXT),
            Column("status", _l("Status"), TEXT),
            Column("decision_number", _l("Decision number"), TEXT),
            Column("decided_on", _l("Date of the decision"), DAY),
            Column("revision", _l("Revision"), COUNT),
            Column("late", _l("Against the due date"), TEXT),
        ],
        rows=rows,
        subtitle=subtitle,
    )


def signals_table(found: list[signals.Signal], period: int) -> Table:
    """Each signal: what, where, the figure and the threshold."""
    measures = {"poor_rate": _l("poor household rate"), "near_poor_rate": _l("near-poor rate")}
    rows = []
    for signal in found:
        what = str(SIGNAL_KINDS[signal.kind])
        if signal.measure:
            what += f" ({measures[signal.measure]})"
        # Rates and shares in %, the others counts (files, votes, households, days).
        kind = RATE if signal.kind in ("rate_moved", "class_changed") else COUNT
        rows.append(
            {
                "kind": what,
                "signal": signal.kind,
                "province_code": signal.province_code,
                "province": units.province(signal.province_code).name,
                "commune_code": signal.commune_code or "",
                "name": signal.name if signal.commune_code else "",
                "value": signal.value,
                "before": signal.before,
                "threshold": signal.threshold,
                "value_kind": kind,
                "threshold_kind": kind,
            }
        )
    return Table(
        name=f"signals-{period}",
        title=_l("Signals worth a look"),
        columns=[
            Column("kind", _l("Signal"), TEXT),
            Column("province", _l("Province/city"), TEXT),
            Column("name", _l("Commune/ward/special zone"), TEXT),
            Column("value", _l("Figure"), RATE),
            Column("before", _l("Previous period"), RATE),
            Column("threshold", _l("Threshold"), RATE),
        ],
        rows=rows,
        subtitle=period_label(period),
    )


def impact_table(session: Session, period: int, level: str, code: str | None = None) -> Table:
    """Today's figures beside the projection under the next standard, per unit."""
    later = impact.projected_standard(session, period) or ""
    rows = impact.impact(session, period, level, code)
    name_label = _l("Province/city") if level != "commune" else _l("Commune/ward/special zone")
    return Table(
        name=f"impact-{level}-{code or 'VN'}",
        title=_l("Today's standard and the next (%(standard)s)", standard=later),
        columns=[
            Column("name", name_label, TEXT),
            *measure_columns(("poor", "poor_rate", "near_poor", "near_poor_rate")),
            Column("assessed", _l("Households assessed"), COUNT),
            Column("baseline_poor", _l("Poor today (assessed)"), COUNT),
            Column("projected_poor", _l("Poor under the next standard"), COUNT),
            Column("change_poor", _l("Change in poor"), COUNT),
            Column("baseline_near_poor", _l("Near-poor today (assessed)"), COUNT),
            Column("projected_near_poor", _l("Near-poor under the next standard"), COUNT),
            Column("change_near_poor", _l("Change in near-poor"), COUNT),
            Column("projected_poor_rate", _l("Poor rate under the next standard (%)"), RATE),
        ],
        rows=rows,
        subtitle=period_label(period),
    )


def drivers_table(session: Session, period: int, code: str | None = None) -> Table:
    """The indicators that drive the difference between the two standards."""
    names = indicator_names()
    rows = [
        {**row, "name": names.get(row["indicator"], row["indicator"])}
        for row in impact.drivers(session, period, code)
    ]
    return Table(
        name=f"drivers-{code or 'VN'}",
        title=_l("Which indicators drive the difference"),
        columns=[
            Column("name", _l("Indicator"), TEXT),
            Column("baseline", _l("Deprived today (assessed households)"), COUNT),
            Column("projected", _l("Deprived under the next standard"), COUNT),
            Column("change", _l("Change"), COUNT),
        ],
        rows=rows,
        subtitle=period_label(period),
    )


def region_name(region: published.Region) -> str:
    """The region's name in the page's language."""
    return region.en if str(get_locale()) == "en" else region.vi


def published_regions_table(period: int) -> Table:
    """The published regional figures of the period, with their source."""
    regions = {region.code: region for region in published.regions()}
    rows = [
        {**item, "name": region_name(regions[item["code"]]),
         "source": "; ".join(source_text(s) for s in item["sources"])}
        for item in published.by_region(period)
    ]  # fmt: skip
    return Table(
        name=f"regions-{period}",
        title=_l("Published results by region"),
        columns=[
            Column("name", _l("Region"), TEXT),
            *measure_columns(
                ("poor", "poor_rate", "near_poor", "near_poor_rate", "poor_near_poor",
                 "poor_near_poor_rate")
            ),
            Column("source", _l("Source"), TEXT),
        ],
        rows=rows,
        subtitle=period_label(period),
    )  # fmt: skip


def region_deprivation_table(session: Session, period: int) -> Table:
    """Households deprived in each indicator, by region (poor and near-poor, the nodes')."""
    d = SnapshotDeprivation
    query = select(d.province_code, d.indicator, d.households).where(
        d.snapshot_pk.in_(stats.snapshot_ids(period)), d.kind == "current"
    )
    sums: dict[str, dict[str, int]] = {}
    for province, indicator, households in session.execute(query):
        region = published.region_of(province)
        if region is None or households is None:
            continue
        by = sums.setdefault(indicator, {})
        by[region.code] = by.get(region.code, 0) + households
    names = indicator_names()
    regions = published.regions()
    rows = [
        {"indicator": names.get(code, code), **{r.code: sums[code].get(r.code) for r in regions}}
        for code in names
        if code in sums
    ]
    return Table(
        name=f"deprivation-regions-{period}",
        title=_l("Deprivation by indicator and region"),
        columns=[
            Column("indicator", _l("Indicator"), TEXT),
            *[Column(r.code, region_name(r), COUNT) for r in regions],
        ],
        rows=rows,
        subtitle=period_label(period),
    )


def commune_history_table(session: Session, commune_code: str) -> Table:
    """A commune's figures in every period its node sent, with the review's activity."""
    r = SnapshotRow
    query = (
        select(r, Snapshot.official_revision)
        .join(Snapshot, Snapshot.id == r.snapshot_pk)
        .where(r.commune_code == commune_code, Snapshot.is_current.is_(True))
        .order_by(r.period)
    )
    rows = []
    for row, revision in session.execute(query):
        values = {column: getattr(row, column) for column in _ROW_COLUMNS}
        values["official"] = revision is not None
        values["source"] = stats.NODE
        rows.append({**with_state(values), "period": row.period})
    return Table(
        name=f"commune-{commune_code}",
        title=_l("Figures by period: %(name)s", name=units.commune(commune_code).name),
        columns=[
            Column("period", _l("Period"), TEXT),
            STATUS_COLUMN,
            *measure_columns(("households_total", "poor", "poor_rate", "near_poor",
                               "near_poor_rate", "new_poor", "exited_poor", "fell_back",
                               "projected_poor", "projected_near_poor")),
            *[Column(name, ACTIVITY[name], COUNT) for name in ACTIVITY_FIELDS],
        ],
        rows=rows,
    )  # fmt: skip


_ROW_COLUMNS = (
    "households_total", "poor", "near_poor", "average", "not_poor", "new_poor", "exited_poor",
    "fell_back", "projected_poor", "projected_near_poor", *ACTIVITY_FIELDS,
)  # fmt: skip


def open_data_table(items: list[dict[str, Any]], period: int | None, level: str) -> Table:
    """Official and published figures with their sources, as open data lists them."""
    return Table(
        name=f"open-data-{level}-{period}",
        title=_l("Official poor and near-poor household figures"),
        columns=[
            Column("code", _l("Code"), TEXT),
            Column("name", _l("Area"), TEXT),
            STATUS_COLUMN,
            *measure_columns(
                ("households_total", "poor", "poor_rate", "near_poor", "near_poor_rate",
                 "poor_near_poor", "poor_near_poor_rate")
            ),
            Column("source", _l("Source"), TEXT),
        ],
        rows=[
            {**with_state(item),
             "source": "; ".join(source_text(s) for s in item.get("sources", []))}
            for item in items
        ],
        subtitle=period_label(period),
    )  # fmt: skip


def merger_table() -> Table:
    """The 63 former provinces and the province each joined in 2025."""
    rows = [
        {"old_code": p.code, "old_name": p.name, "new_code": p.new_code,
         "new_name": units.province(p.new_code).name}
        for p in published.former_provinces().values()
    ]  # fmt: skip
    source = published.merger_source()
    return Table(
        name="provinces-2025",
        title=_l("The 2025 merger: former provinces and the provinces they joined"),
        columns=[
            Column("old_code", _l("Former code"), TEXT),
            Column("old_name", _l("Former province/city"), TEXT),
            Column("new_code", _l("Code"), TEXT),
            Column("new_name", _l("Province/city"), TEXT),
        ],
        rows=rows,
        subtitle=f"{source['document']} ({date.fromisoformat(source['adopted_on']):%d/%m/%Y})",
    )
