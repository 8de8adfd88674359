"""The dashboards' tables, built once from the services and rendered as HTML, CSV and XLSX.

A page and its exports render the same Table, so the numbers in a download are the numbers on
the screen by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from hub.services import stats
from hub.services.nodes import NodeStatus, node_statuses
from shared import units
from shared.moments import vietnam_text
from shared.standards import UnknownStandard, national_standards, standard_for

TEXT, COUNT, RATE, MOMENT, DAY = "text", "count", "rate", "moment", "day"


@dataclass(frozen=True)
class Column:
    """A column: its key in the rows, its heading, and how its values are shown."""

    key: str
    label: Any
    kind: str = COUNT


@dataclass
class Table:
    """Rows of values (numbers stay numbers) under headed columns."""

    name: str
    title: Any
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    # What the figures are of, e.g. "Kỳ 2026": printed under the title in the exports.
    subtitle: str = ""


MEASURES = {
    "households_total": _l("Total households"),
    "poor": _l("Poor households"),
    "poor_rate": _l("Poor household rate (%)"),
    "near_poor": _l("Near-poor households"),
    "near_poor_rate": _l("Near-poor household rate (%)"),
    "average": _l("Households with an average living standard"),
    "not_poor": _l("Non-poor households"),
    "poor_rural": _l("Poor households, rural area"),
    "poor_urban": _l("Poor households, urban area"),
    "near_poor_rural": _l("Near-poor households, rural area"),
    "near_poor_urban": _l("Near-poor households, urban area"),
    "new_poor": _l("Newly poor households"),
    "new_near_poor": _l("Newly near-poor households"),
    "exited_poor": _l("Households that exited poverty"),
    "exited_near_poor": _l("Households that exited near-poverty"),
    "fell_back": _l("Households that fell back into poverty"),
    "ethnic_minority_poor": _l("Ethnic minority poor households"),
    "ethnic_minority_near_poor": _l("Ethnic minority near-poor households"),
    "members_poor": _l("Persons in poor households"),
    "members_near_poor": _l("Persons in near-poor households"),
    "applications_pending": _l("Applications being reviewed"),
    "poor_near_poor": _l("Poor and near-poor households"),
    "poor_near_poor_rate": _l("Poor and near-poor household rate (%)"),
    "projected_poor": _l("Poor households, next standard"),
    "projected_near_poor": _l("Near-poor households, next standard"),
}
RATE_KEYS = {"poor_rate", "near_poor_rate", "poor_near_poor_rate"}
STATES = {
    "official": _l("Official"),
    "provisional": _l("Provisional"),
    "published": _l("Published"),
}
# The columns of the by-province and by-commune tables.
UNIT_MEASURES = (
    "households_total",
    "poor",
    "poor_rate",
    "near_poor",
    "near_poor_rate",
    # The multidimensional rate (poor + near-poor), the figure the Ministry publishes first.
    "poor_near_poor",
    "poor_near_poor_rate",
    "members_poor",
    "members_near_poor",
    "average",
    "not_poor",
    "new_poor",
    "exited_poor",
    "fell_back",
    "projected_poor",
    "projected_near_poor",
)
TREND_MEASURES = (
    "households_total",
    "poor",
    "poor_rate",
    "near_poor",
    "near_poor_rate",
    "poor_near_poor",
    "poor_near_poor_rate",
    "new_poor",
    "exited_poor",
    "exited_near_poor",
    "fell_back",
)
STATUS_LABELS = {
    "ok": _l("Succeeded"),
    "not_modified": _l("Succeeded, no change"),
    "error": _l("Failed"),
    "never": _l("Not pulled yet"),
    "missing": _l("Not connected yet"),
}


rate = stats.rate
with_rates = stats.with_rates


def state_of(item: dict[str, Any]) -> str:
    """official · provisional · published: what a figure is."""
    if item.get("source") == stats.PUBLISHED:
        return "published"
    return "official" if item.get("official") else "provisional"


def with_state(item: dict[str, Any]) -> dict[str, Any]:
    state = state_of(item)
    return {**with_rates(item), "status": str(STATES[state]), "figure_state": state}


STATUS_COLUMN = Column("status", _l("Figures"), TEXT)


def measure_columns(keys: tuple[str, ...]) -> list[Column]:
    return [Column(key, MEASURES[key], RATE if key in RATE_KEYS else COUNT) for key in keys]


def period_label(period: int | None) -> str:
    """ "Kỳ 2026" / "Period 2026"."""
    return "" if period is None else str(_l("Period %(period)s", period=period))


def national_item(session: Session, period: int | None) -> dict[str, Any]:
    """The national figures of the period (the nodes', else published) with their state."""
    values = (
        stats.stats(session, period=period, level="national")[0]
        if period is not None
        else stats.empty_national()[0]
    )
    return with_state(values)


AREA_MEASURES = {"poor_rural", "poor_urban", "near_poor_rural", "near_poor_urban"}


def area_label(key: str, period: int | None) -> str | None:
    """An area measure's heading in the words of the period's standard ("khu vực đô thị" from
    2027, Decree 351/2025; shared/standards/data), or None for the others."""
    if key not in AREA_MEASURES or period is None:
        return None
    try:
        names = standard_for(period).area_names
    except UnknownStandard:
        return None
    kind, area = key.rsplit("_", 1)
    lang = "en" if str(get_locale() or "vi") == "en" else "vi"
    base = str(MEASURES[kind])
    return f"{base}, {names[area]['en']}" if lang == "en" else f"{base} {names[area]['vi']}"


def national_table(session: Session, period: int | None) -> Table:
    """The national totals and rates, one measure a row."""
    values = national_item(session, period)
    reporting = len(stats.reporting_provinces(session, period)) if period is not None else 0
    rows = [
        {"measure": area_label(key, period) or label, "value": values.get(key), "kind": _kind(key)}
        for key, label in MEASURES.items()
    ]
    rows.append(
        {"measure": _l("Provinces reporting"), "value": reporting, "kind": COUNT},
    )
    return Table(
        name="national",
        title=_l("National figures"),
        columns=[Column("measure", _l("Measure"), TEXT), Column("value", _l("Value"), "mixed")],
        rows=rows,
        subtitle=period_label(period),
    )


def provinces_table(session: Session, period: int | None) -> Table:
    """One row per province with data: counts and rates."""
    items = stats.stats(session, period=period, level="province") if period is not None else []
    return Table(
        name="provinces",
        title=_l("Poor and near-poor households by province"),
        columns=[
            Column("code", _l("Code"), TEXT),
            Column("name", _l("Province/city"), TEXT),
            STATUS_COLUMN,
            *measure_columns(UNIT_MEASURES),
        ],
        rows=[with_state(item) for item in items],
        subtitle=period_label(period),
    )


def communes_table(session: Session, period: int | None, province_code: str) -> Table:
    """One row per commune of the province, from its current snapshot."""
    items = (
        stats.stats(session, period=period, level="commune", code=province_code)
        if period is not None
        else []
    )
    name = units.province(province_code).name
    return Table(
        name=f"communes-{province_code}",
        title=_l("Poor and near-poor households by commune: %(province)s", province=name),
        columns=[
            Column("code", _l("Code"), TEXT),
            Column("name", _l("Commune/ward/special zone"), TEXT),
            *measure_columns(UNIT_MEASURES),
        ],
        rows=[with_rates(item) for item in items],
        subtitle=period_label(period),
    )


def source_text(source: dict[str, Any]) -> str:
    """A source in words: the decision (number and date), or the node's snapshot."""
    if source["kind"] == "decision":
        parts = [source["title"]]
        if source.get("decision_number"):
            parts.append(str(_l("Decision %(number)s", number=source["decision_number"])))
        if source.get("decided_on"):
            parts.append(vietnam_text(date.fromisoformat(source["decided_on"])))
        if source.get("reported_by") and not source.get("decision_number"):
            parts.append(source["reported_by"])
        return ", ".join(parts)
    text = str(_l("Snapshot %(id)s", id=source["snapshot_id"][:12]))
    if source.get("decision_number"):
        text += " · " + str(
            _l("Decision %(number)s, revision %(revision)s", number=source["decision_number"],
               revision=source["revision"])
        )  # fmt: skip
    return text


def trends_table(session: Session, province_code: str | None = None) -> Table:
    """Figures per period, oldest first, nationally or for one province: the nodes' where they
    have any, else the published results."""
    where = units.province(province_code).name if province_code else stats.NATIONAL_NAME
    return Table(
        name=f"trends-{province_code}" if province_code else "trends",
        title=_l("Trends across periods: %(where)s", where=where),
        columns=[
            Column("period", _l("Period"), TEXT),
            STATUS_COLUMN,
            Column("provinces", _l("Provinces reporting"), COUNT),
            *measure_columns(TREND_MEASURES),
        ],
        rows=[with_state(row) for row in stats.trends(session, province_code)],
    )


def deprivation_table(session: Session, period: int | None, province_code: str | None) -> Table:
    """Households deprived in each indicator, among the poor and near-poor."""
    level = "province" if province_code else "national"
    items = (
        stats.stats(session, period=period, level=level, code=province_code)
        if period is not None
        else []
    )
    item = items[0] if items else {"deprived": {}, "poor": None, "near_poor": None}
    base = (item["poor"] or 0) + (item["near_poor"] or 0)
    names = indicator_names()
    codes = [code for code in names if code in item["deprived"]]
    codes += sorted(code for code in item["deprived"] if code not in names)
    where = units.province(province_code).name if province_code else stats.NATIONAL_NAME
    return Table(
        name=f"deprivation-{province_code or 'VN'}",
        title=_l("Deprivation by indicator: %(where)s", where=where),
        columns=[
            Column("indicator", _l("Indicator"), TEXT),
            Column("households", _l("Households deprived"), COUNT),
            Column("share", _l("Share of poor and near-poor households (%)"), RATE),
        ],
        rows=[
            {
                "indicator": names.get(code, code),
                "households": item["deprived"][code],
                "share": rate(item["deprived"][code], base),
            }
            for code in codes
        ],
        subtitle=period_label(period),
    )


def freshness_table(statuses: list[NodeStatus]) -> Table:
    """All 34 provinces: registered or missing, last success and attempt, error, stale."""
    return Table(
        name="freshness",
        title=_l("Freshness of the provinces' figures"),
        columns=[
            Column("code", _l("Code"), TEXT),
            Column("name", _l("Province/city"), TEXT),
            Column("status", _l("Status"), TEXT),
            Column("last_success_at", _l("Last successful pull"), MOMENT),
            Column("last_attempt_at", _l("Last attempt"), MOMENT),
            Column("last_outcome", _l("Last outcome"), TEXT),
            Column("last_error", _l("Error"), TEXT),
        ],
        rows=[
            {
                "code": status.province_code,
                "name": status.province_name,
                "status": _freshness(status),
                "state": _state(status),
                "last_success_at": status.last_success_at,
                "last_attempt_at": status.last_attempt_at,
                "last_outcome": STATUS_LABELS[status.last_status]
                if status.registered
                else STATUS_LABELS["missing"],
                "last_error": status.last_error or "",
            }
            for status in statuses
        ],
    )


def freshness_statuses(session: Session, *, now: datetime, stale_factor: int) -> list[NodeStatus]:
    """The node statuses, for the board and the entry page."""
    return node_statuses(session, now=now, stale_factor=stale_factor)


def _state(status: NodeStatus) -> str:
    if not status.registered:
        return "missing"
    if not status.enabled:
        return "disabled"
    return "stale" if status.stale else "fresh"


def _freshness(status: NodeStatus) -> str:
    labels = {
        "missing": _l("Missing: not connected yet"),
        "disabled": _l("Pulls switched off"),
        "stale": _l("Stale: not updated in time"),
        "fresh": _l("Up to date"),
    }
    return str(labels[_state(status)])


def indicator_names() -> dict[str, str]:
    """Indicator code → name in the current language, in legal order, over every standard."""
    lang = "en" if str(get_locale()) == "en" else "vi"
    names: dict[str, str] = {}
    for standard in national_standards():
        for indicator in standard.indicators:
            names.setdefault(indicator.code, indicator.name.get(lang) or indicator.code)
    return names


def _kind(key: str) -> str:
    return RATE if key in RATE_KEYS else COUNT


def cell_kind(column: Column, row: dict[str, Any]) -> str:
    """How to show a cell: the column's kind, or the row's own in a measure/value table."""
    return row.get("kind", COUNT) if column.kind == "mixed" else column.kind
