"""Open data for everyone, without sign-in: the official (closed) and published figures by
period and province, never provisional ones, each with its source, as a page and CSV (the JSON
is GET /api/v1/public/stats); and the 2025 merger of provinces."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from hub.extensions import db
from hub.services import open_data, stats
from hub.web import exports, more_tables
from hub.web.query import period_arg
from shared.web.caching import public
from shared.web.clock import now

# Published and official figures only, the same for everyone: caches may keep them.
bp = public(Blueprint("open_data", __name__, url_prefix="/open-data"))


def _query() -> tuple[int | None, list[int], str]:
    periods = open_data.public_periods(db.session)
    level = request.args.get("level", "province")
    if level not in open_data.LEVELS:
        abort(400, description="level must be national or province")
    return period_arg(periods), periods, level


def _table():
    period, periods, level = _query()
    items = (
        open_data.public_stats(db.session, period=period, level=level) if period is not None else []
    )
    return more_tables.open_data_table(items, period, level), period, periods, level


@bp.get("/")
def index() -> str:
    """The official and published figures of a period, by province or for the whole country."""
    table, period, periods, level = _table()
    national = open_data.public_stats(db.session, period=period, level="national") if period else []
    return render_template(
        "open_data/index.html",
        table=table,
        national=more_tables.open_data_table(national, period, "national"),
        period=period,
        periods=periods,
        level=level,
        official=open_data.official_count(db.session, period) if period else 0,
        national_code=stats.NATIONAL_CODE,
    )


@bp.get("/figures.csv")
def figures_csv() -> Response:
    """The same figures as the page, as CSV."""
    table, _period, _periods, _level = _table()
    response = exports.export(table, "csv", generated_at=now())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/provinces-2025")
def merger() -> str:
    """The 63 former provinces and the 34 they joined in 2025 (Resolution 202/2025/QH15)."""
    return render_template("open_data/merger.html", table=more_tables.merger_table())
