"""National dashboards for central users: figures (official, provisional, published) with the
map, provinces, communes, trends, deprivation, freshness, and every table as CSV and XLSX."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from hub.auth import login_required
from hub.extensions import db
from hub.services import published, stats
from hub.web import analysis, exports, more_tables, tables, tilemap
from hub.web.charts import bar_chart
from hub.web.query import period_arg, private, province_arg
from shared import units
from shared.web.clock import now

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

RATE_SERIES = [
    ("poor_rate", _l("Poor household rate (%)")),
    ("near_poor_rate", _l("Near-poor household rate (%)")),
]


bp.after_request(private)


def _period() -> tuple[int | None, list[int]]:
    periods = stats.periods(db.session)
    return period_arg(periods), periods


def sorted_rows(table: tables.Table) -> dict[str, Any]:
    """Sort the table's rows by ?sort= (a column's key) and ?dir= (asc, desc), and drop the
    communes without figures when ?hide_empty=1; returns what the headers' links need."""
    keys = {column.key for column in table.columns}
    key = request.args.get("sort", "")
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    if key in keys:
        present = [row for row in table.rows if row.get(key) is not None]
        absent = [row for row in table.rows if row.get(key) is None]
        present.sort(key=lambda row: _sort_key(row[key]), reverse=direction == "desc")
        table.rows = present + absent
    else:
        key = ""
    hide = request.args.get("hide_empty") == "1"
    if hide:
        table.rows = [row for row in table.rows if row.get("households_total") or row.get("poor")]
    query = {k: v for k, v in request.args.items() if k in ("period", "hide_empty")}
    return {"key": key, "dir": direction, "query": query, "hide_empty": hide}


def _sort_key(value: Any) -> Any:
    return value if isinstance(value, int | float) else str(value)


def _statuses():
    return tables.freshness_statuses(
        db.session, now=now(), stale_factor=current_app.config["STALE_FACTOR"]
    )


@bp.get("/")
@login_required
def national() -> str:
    """National totals and rates, the map, and the table and chart by province."""
    period, periods = _period()
    provinces = tables.provinces_table(db.session, period)
    rates = {row["code"]: row["poor_near_poor_rate"] for row in provinces.rows}
    width, height = tilemap.size()
    return render_template(
        "dashboard/national.html",
        period=period,
        periods=periods,
        totals=tables.national_table(db.session, period),
        figures=tables.national_item(db.session, period),
        source_text=tables.source_text,
        provinces=provinces,
        states=_count_states(provinces.rows),
        chart=bar_chart(provinces.rows, "name", RATE_SERIES),
        tiles=tilemap.tiles(rates),
        map_size=(width, height),
        legend=tilemap.legend(),
        regions=more_tables.published_regions_table(period) if period else None,
        missing=len(units.provinces()) - len(stats.reporting_provinces(db.session, period))
        if period is not None
        else len(units.provinces()),
    )


def _count_states(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"official": 0, "provisional": 0, "published": 0}
    for row in rows:
        counts[row["figure_state"]] += 1
    return counts


@bp.get("/provinces/<code>")
@login_required
def province(code: str) -> str:
    """A province: its communes (sortable, empty ones hidden on request), its trend."""
    code = province_arg(code)
    period, periods = _period()
    communes = tables.communes_table(db.session, period, code)
    sort = sorted_rows(communes)
    item = next(
        (row for row in tables.provinces_table(db.session, period).rows if row["code"] == code),
        None,
    )
    return render_template(
        "dashboard/province.html",
        period=period,
        periods=periods,
        province=units.province(code),
        figures=item,
        communes=communes,
        sort=sort,
        trend=tables.trends_table(db.session, code),
        formers=published.formers_of(code),
        chart=bar_chart(communes.rows[:60], "name", RATE_SERIES),
    )


@bp.get("/communes/<code>")
@login_required
def commune(code: str) -> str:
    """A commune's figures in every period, with its review's activity."""
    if not units.is_commune_code(code):
        abort(404)
    commune = units.commune(code)
    return render_template(
        "dashboard/commune.html",
        commune=commune,
        province=units.province(commune.province_code),
        history=more_tables.commune_history_table(db.session, code),
    )


@bp.get("/trends")
@login_required
def trends() -> str:
    """Figures across periods, nationally or for one province; published results first."""
    code = request.args.get("province") or None
    if code is not None:
        code = province_arg(code)
    trend = tables.trends_table(db.session, code)
    return render_template(
        "dashboard/trends.html",
        trends=trend,
        chart=bar_chart(trend.rows, "period", RATE_SERIES),
        province_code=code,
        provinces=units.provinces(),
    )


@bp.get("/deprivation")
@login_required
def deprivation() -> str:
    """Households deprived in each indicator, nationally, in one province, or by region."""
    period, periods = _period()
    code = request.args.get("province") or None
    if code is not None:
        code = province_arg(code)
    table = tables.deprivation_table(db.session, period, code)
    chart = bar_chart(table.rows, "indicator", [("households", _l("Households deprived"))])
    return render_template(
        "dashboard/deprivation.html",
        period=period,
        periods=periods,
        province_code=code,
        provinces=units.provinces(),
        table=table,
        regions=more_tables.region_deprivation_table(db.session, period) if period else None,
        chart=chart,
        export_query={
            key: value
            for key, value in (("period", period), ("province", code))
            if value is not None
        },
    )


@bp.get("/freshness")
@login_required
def freshness() -> str:
    """All 34 provinces: last success, last attempt, error; stale in red, missing listed."""
    return render_template("dashboard/freshness.html", table=tables.freshness_table(_statuses()))


def export_table(name: str) -> tables.Table | None:
    """The table an export name stands for, with the same query as its page."""
    period, _periods = _period()
    code = request.args.get("code") or request.args.get("province") or None
    builders = {
        "national": lambda: tables.national_table(db.session, period),
        "provinces": lambda: tables.provinces_table(db.session, period),
        "communes": lambda: tables.communes_table(db.session, period, province_arg(code)),
        "trends": lambda: tables.trends_table(db.session, code and province_arg(code)),
        "deprivation": lambda: tables.deprivation_table(
            db.session, period, code and province_arg(code)
        ),
        "freshness": lambda: tables.freshness_table(_statuses()),
        "commune": lambda: more_tables.commune_history_table(db.session, _commune(code)),
    }
    builder = builders.get(name)
    return builder() if builder else None


def _commune(code: str | None) -> str:
    if not units.is_commune_code(code):
        abort(404)
    return code  # type: ignore[return-value]


@bp.get("/export/<name>.<fmt>")
@login_required
def export(name: str, fmt: str) -> Response:
    """A dashboard table as CSV or XLSX, with the same query as its page."""
    if fmt not in exports.FORMATS:
        abort(404)
    table = export_table(name) or analysis.export_table(name)
    if table is None:
        abort(404)
    if name == "communes":
        sorted_rows(table)
    return exports.export(table, fmt, generated_at=now())
