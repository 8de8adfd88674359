"""The central office's analysis pages: the new standard's impact, the year-close tracker (and
its due date), and the signals worth a look — each table also as CSV and XLSX."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hub.api.schemas import Year
from hub.auth import login_required, signin
from hub.extensions import db
from hub.services import impact as impact_service
from hub.services import signals as signal_service
from hub.services import stats, tracker
from hub.services.errors import Forbidden, ValidationFailed
from hub.web import more_tables
from hub.web.query import period_arg, private, province_arg
from shared import units
from shared.moments import VIETNAM
from shared.web.clock import now

bp = Blueprint("analysis", __name__, url_prefix="/dashboard")
bp.after_request(private)


class DueDateSchema(ma.Schema):
    """The date by which the provinces are due to close a period."""

    class Meta:
        unknown = ma.RAISE

    period = Year(required=True, validate=ma.validate.Range(2000, 2100))
    due_on = ma.fields.Date(required=True)


def today() -> date:
    """Today in Vietnam."""
    return now().astimezone(VIETNAM).date()


def _node_period() -> tuple[int | None, list[int]]:
    periods = stats.node_periods(db.session)
    return period_arg(periods), periods


@bp.get("/impact")
@login_required
def impact() -> str:
    """Today's figures beside the projection under the next standard, by province (or by
    commune of one province), and the indicators that drive the difference."""
    period, periods = _node_period()
    code = request.args.get("province") or None
    if code is not None:
        code = province_arg(code)
    level = "commune" if code else "province"
    return render_template(
        "dashboard/impact.html",
        period=period,
        periods=periods,
        province_code=code,
        provinces=units.provinces(),
        standard=impact_service.projected_standard(db.session, period) if period else None,
        national=impact_service.impact(db.session, period, "national")[0:1] if period else [],
        table=more_tables.impact_table(db.session, period, level, code) if period else None,
        drivers=more_tables.drivers_table(db.session, period, code) if period else None,
    )


def _thresholds() -> signal_service.Thresholds:
    return signal_service.Thresholds.from_config(current_app.config)


@bp.get("/signals")
@login_required
def signals() -> str:
    """What a central analyst would check first, from the aggregates alone."""
    period, periods = _node_period()
    limits = _thresholds()
    found = signal_service.signals(db.session, period, today(), limits) if period else []
    return render_template(
        "dashboard/signals.html",
        period=period,
        periods=periods,
        limits=limits,
        table=more_tables.signals_table(found, period) if period else None,
        window=current_app.config["REVIEW_WINDOW"],
    )


@bp.get("/tracker")
@login_required
def tracker_page() -> str:
    """Which provinces closed the period (decision, date, revision), which are late."""
    return _render_tracker({}, 200)


def _render_tracker(errors: dict[str, str], status: int) -> tuple[str, int]:
    periods = sorted(set(stats.node_periods(db.session)) | {today().year}, reverse=True)
    period = period_arg(periods) or today().year
    user = signin.current()
    return render_template(
        "dashboard/tracker.html",
        period=period,
        periods=periods,
        table=more_tables.tracker_table(db.session, period, today()),
        due=tracker.due_date(db.session, period),
        can_set=user is not None and user.role == "central_admin",
        errors=errors,
    ), status


@bp.post("/tracker")
@login_required
def set_due_date() -> Response | tuple[str, int]:
    """A central admin sets (or moves) the period's due date."""
    try:
        data = DueDateSchema().load({k: v for k, v in request.form.items() if k != "csrf_token"})
        tracker.set_due_date(db.session, signin.current(), now=now(), **data)
    except ma.ValidationError as error:
        return _render_tracker({k: _("Enter a valid value.") for k in error.messages}, 422)
    except ValidationFailed as error:
        db.session.rollback()
        return _render_tracker({k: _("Enter a valid value.") for k in error.fields}, 422)
    except Forbidden:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(_("The due date was saved."), "success")
    return redirect(url_for("analysis.tracker_page", period=data["period"]), 303)


def export_table(name: str):
    """The table of an analysis page for an export name, or None."""
    code = request.args.get("province") or None
    if name == "tracker":
        periods = sorted(set(stats.node_periods(db.session)) | {today().year}, reverse=True)
        return more_tables.tracker_table(db.session, period_arg(periods), today())
    period, _periods = _node_period()
    if period is None:
        return None
    if name == "signals":
        found = signal_service.signals(db.session, period, today(), _thresholds())
        return more_tables.signals_table(found, period)
    if name == "impact":
        code = code and province_arg(code)
        return more_tables.impact_table(db.session, period, "commune" if code else "province", code)
    if name == "drivers":
        return more_tables.drivers_table(db.session, period, code and province_arg(code))
    if name == "deprivation-regions":
        return more_tables.region_deprivation_table(db.session, period)
    return None
