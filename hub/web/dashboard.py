"""National dashboards for central users: figures, provinces, communes, trends, deprivation,
freshness, and every table as CSV and XLSX."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from hub.auth import login_required
from hub.extensions import db
from hub.services import stats
from hub.web import exports, tables
from hub.web.charts import bar_chart
from shared import units
from shared.web.clock import now

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

RATE_SERIES = [
    ("poor_rate", _l("Poor household rate (%)")),
    ("near_poor_rate", _l("Near-poor household rate (%)")),
]


@bp.after_request
def private(response: Response) -> Response:
    """Figures for signed-in users only: no shared cache keeps them."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _period() -> tuple[int | None, list[int]]:
    """The period asked for (?period=), else the latest with data; and all periods with data."""
    periods = stats.periods(db.session)
    raw = request.args.get("period", "")
    if raw:
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            abort(400, description="period must be a year")
        return int(raw), periods
    return (periods[0] if periods else None), periods


def _province(code: str) -> str:
    if not units.is_province_code(code):
        abort(404)
    return code


def _statuses():
    return tables.freshness_statuses(
        db.session, now=now(), stale_factor=current_app.config["STALE_FACTOR"]
    )


@bp.get("/")
@login_required
def national() -> str:
    """National totals and rates, and the table and chart by province."""
    period, periods = _period()
    provinces = tables.provinces_table(db.session, period)
    chart = bar_chart(provinces.rows, "name", RATE_SERIES)
    return render_template(
        "dashboard/national.html",
        period=period,
        periods=periods,
        totals=tables.national_table(db.session, period),
        provinces=provinces,
        chart=chart,
        missing=len(units.provinces()) - len(stats.reporting_provinces(db.session, period))
        if period is not None
        else len(units.provinces()),
    )


@bp.get("/provinces/<code>")
@login_required
def province(code: str) -> str:
    """A province's communes, with its chart."""
    code = _province(code)
    period, periods = _period()
    communes = tables.communes_table(db.session, period, code)
    return render_template(
        "dashboard/province.html",
        period=period,
        periods=periods,
        province=units.province(code),
        communes=communes,
        chart=bar_chart(communes.rows, "name", RATE_SERIES),
    )


@bp.get("/trends")
@login_required
def trends() -> str:
    """National figures across periods."""
    trend = tables.trends_table(db.session)
    chart = bar_chart(trend.rows, "period", RATE_SERIES)
    return render_template("dashboard/trends.html", trends=trend, chart=chart)


@bp.get("/deprivation")
@login_required
def deprivation() -> str:
    """Households deprived in each indicator, nationally or in one province."""
    period, periods = _period()
    code = request.args.get("province") or None
    if code is not None:
        code = _province(code)
    table = tables.deprivation_table(db.session, period, code)
    chart = bar_chart(table.rows, "indicator", [("households", _l("Households deprived"))])
    return render_template(
        "dashboard/deprivation.html",
        period=period,
        periods=periods,
        province_code=code,
        provinces=units.provinces(),
        table=table,
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


@bp.get("/export/<name>.<fmt>")
@login_required
def export(name: str, fmt: str) -> Response:
    """A dashboard table as CSV or XLSX, with the same query as its page."""
    if fmt not in exports.FORMATS:
        abort(404)
    period, _periods = _period()
    if name == "national":
        table = tables.national_table(db.session, period)
    elif name == "provinces":
        table = tables.provinces_table(db.session, period)
    elif name == "communes":
        table = tables.communes_table(db.session, period, _province(request.args.get("code", "")))
    elif name == "trends":
        table = tables.trends_table(db.session)
    elif name == "deprivation":
        code = request.args.get("province") or None
        table = tables.deprivation_table(db.session, period, code and _province(code))
    elif name == "freshness":
        table = tables.freshness_table(_statuses())
    else:
        abort(404)
    return exports.export(table, fmt, generated_at=now())
