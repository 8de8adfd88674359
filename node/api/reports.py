"""`GET /api/v1/reports/<form>`: report forms R1–R5 as JSON, CSV or XLSX, for officials; and
`GET /api/v1/lists/average-livelihood`: the farming, forestry, fishery and salt households with an
average living standard (JSON); `GET /api/v1/low-income-workers`: the low-income workers (JSON,
CSV or XLSX); the regular review's monthly report, the periodic review's annual report, and
their sendings to the province."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from node.auth import official_required, require_official
from node.context import node_context
from node.extensions import db
from node.report_responses import XLSX, r5_response
from node.services import audit
from node.services.annual_report import annual_report
from node.services.annual_report_sending import send_annual_report
from node.services.annual_report_sending import sendings as annual_sendings
from node.services.errors import NotFound, ValidationFailed
from node.services.livelihood_list import AVERAGE_LIVELIHOOD, average_livelihood_households
from node.services.low_income_list import LOW_INCOME_WORKERS, low_income_workers
from node.services.monthly_report import LINES, monthly_report, parse_month
from node.services.monthly_report import MonthlyReport as MonthlyReportFigures
from node.services.monthly_report_file import monthly_report_xlsx
from node.services.monthly_report_sending import send_monthly_report, sendings
from node.services.named_lists import NamedList
from node.services.periods import current_period
from node.services.report_files import report_csv, report_json, report_xlsx
from node.services.reports import FORM_CODES, build_report, report_unit
from shared import units
from shared.moments import as_utc
from shared.web.fields import Integer, String, between, length, one_of

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Report forms (§7)")


class ReportQuerySchema(ma.Schema):
    """Which unit, period, format and language."""

    unit = String(validate=length(20), metadata={"description": "the province or a commune code"})
    period = Integer(validate=between(2000, 2100))
    format = String(load_default="json", validate=one_of(["json", "csv", "xlsx"]))
    lang = String(load_default="vi", validate=one_of(["vi", "en"]))


@blp.route("/reports/<form>")
class Report(MethodView):
    """One report form for your unit."""

    @official_required()
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, description="JSON, CSV or XLSX")
    def get(self, query, form: str):
        """R1 results, R2 changes, R3 deprivations, R4 ethnic minorities, R5 list (node only)."""
        if form not in FORM_CODES:
            raise NotFound(f"No report {form!r}; the forms are {', '.join(FORM_CODES)}.")
        official = require_official()
        context = node_context()
        # Forbidden for a village head, as on the pages (node.services.reports.REPORT_READERS).
        unit = report_unit(official, context.province_code, query.get("unit"))
        period = query.get("period") or current_period(context.today)
        lang = query["lang"]
        if form == "R5":
            # A list of named households is a read of personal data.
            audit.record(db.session, official, "report_r5", "report", None, context.now,
                         details={"unit": unit, "period": period})  # fmt: skip
            db.session.commit()
            return r5_response(db.session, context.province_code, period, unit, query["format"],
                               lang, context.today)  # fmt: skip
        table = build_report(db.session, form, context.province_code, period, unit)
        name = f"{form}-{unit}-{period}"
        if query["format"] == "csv":
            return Response(
                report_csv(table, lang),
                mimetype="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
            )
        if query["format"] == "xlsx":
            return Response(
                report_xlsx(table, context.today, lang),
                mimetype=XLSX,
                headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
            )
        return report_json(table, lang)


class ListQuerySchema(ma.Schema):
    """Which unit and period, as JSON or XLSX (the average-livelihood list, the annual report)."""

    unit = String(validate=length(20), metadata={"description": "the province or a commune code"})
    period = Integer(validate=between(2000, 2100))
    format = String(load_default="json", validate=one_of(["json", "xlsx"]))
    lang = String(load_default="vi", validate=one_of(["vi", "en"]))


@blp.route("/lists/average-livelihood")
class AverageLivelihoodList(MethodView):
    """The list of farming, forestry, fishery and salt households with an average living
    standard (Decision 24/2021 Art. 3) for your unit."""

    @official_required()
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, description="the unit, period, count and households (node only)")
    def get(self, query):
        """`{"unit", "period", "count", "items": [{"number", "commune_code", "village",
        "head_name", "members", "decided_on"}]}`; a read of personal data, audited."""
        return _named_list(query, average_livelihood_households, AVERAGE_LIVELIHOOD)


class NamedListQuerySchema(ListQuerySchema):
    """Which unit and period, as JSON, CSV or XLSX."""

    format = String(load_default="json", validate=one_of(["json", "csv", "xlsx"]))


@blp.route("/low-income-workers")
class LowIncomeWorkersList(MethodView):
    """The list of low-income workers (Decree 30/2025) for your unit."""

    @official_required()
    @blp.arguments(NamedListQuerySchema, location="query")
    @blp.response(200, description="the unit, period, count and workers (node only)")
    def get(self, query):
        """`{"unit", "period", "count", "items": [{"number", "commune_code", "village",
        "full_name", "birth_year", "sex", "head_name", "decided_on"}]}`: the members of the
        period's recognised households that are neither poor nor near-poor with an income per
        person at or below the low-income line, of working age and in the labour force
        (provisional); a read of personal data, audited."""
        return _named_list(query, low_income_workers, LOW_INCOME_WORKERS)


def _named_list(query: dict[str, Any], read: Any, printed: NamedList) -> Response | dict[str, Any]:
    """A named list for the official's unit (scope checked) as JSON, CSV or XLSX; its reading
    is recorded in the audit log before it is answered."""
    official = require_official()
    context = node_context()
    period = query.get("period") or current_period(context.today)
    unit, rows = read(db.session, official, context.province_code, period, query.get("unit"))
    audit.record(db.session, official, printed.action, "report", None, context.now,
                 details={"unit": unit, "period": period})  # fmt: skip
    db.session.commit()
    name = f"{printed.file_stem}-{unit}-{period}"
    if query["format"] == "xlsx":
        return Response(
            printed.xlsx(unit, period, rows, context.today, query["lang"]),
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"',
                     "Cache-Control": "no-store"},
        )  # fmt: skip
    if query["format"] == "csv":
        return Response(
            printed.csv(rows, query["lang"]),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                     "Cache-Control": "no-store"},
        )  # fmt: skip
    return {"unit": unit, "period": period, "count": len(rows), "items": rows}


class MonthQuerySchema(ma.Schema):
    """Which unit and month."""

    unit = String(validate=length(20), metadata={"description": "the province or a commune code"})
    month = String(
        required=True,
        validate=length(7, 7),
        metadata={"description": "YYYY-MM: the month the regular review's report is about"},
    )
    format = String(load_default="json", validate=one_of(["json", "xlsx"]))
    lang = String(load_default="vi", validate=one_of(["vi", "en"]))


@blp.route("/monthly-reports")
class MonthlyReport(MethodView):
    """The monthly report of the regular review (Decision 24/2021 Art. 7) for your unit."""

    @official_required()
    @blp.arguments(MonthQuerySchema, location="query")
    @blp.response(200, description="the unit, month, due date and figures")
    def get(self, query):
        """`{"unit", "month", "due_on" (null outside January–August), "figures": {key: count},
        "lines": [{"key", "vi", "en"}]}` (counts only, no personal data)."""
        month = parse_month(query["month"])
        if month is None:
            raise ValidationFailed("The month is not valid.", {"month": "YYYY-MM"})
        context = node_context()
        report = monthly_report(
            db.session, require_official(), context.province_code, month, query.get("unit")
        )
        if query["format"] == "xlsx":
            name = f"bao-cao-thang-{report.unit}-{query['month']}.xlsx"
            return Response(
                monthly_report_xlsx(report, context.today, query["lang"]),
                mimetype=XLSX,
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return {
            "unit": report.unit,
            "month": query["month"],
            "due_on": report.due_on.isoformat() if report.due_on else None,
            "figures": report.figures,
            "lines": [{"key": key, "vi": vi, "en": en} for key, vi, en in LINES],
            **_sending_status(report, context.province_code),
        }


def _sending_status(report: MonthlyReportFigures, province_code: str) -> dict[str, Any]:
    """The monthly report's sendings (``_sent``)."""
    return _sent(report.unit, province_code, sendings(db.session, report.month))


def _sent(unit: str, province_code: str, sent: dict[str, datetime]) -> dict[str, Any]:
    """A commune's ``sent_at`` (null until sent); for the province, every commune's."""
    if unit != province_code:
        moment = sent.get(unit)
        return {"sent_at": moment.isoformat() if moment else None}
    return {
        "communes": [
            {"code": c.code, "name": c.name,
             "sent_at": sent[c.code].isoformat() if c.code in sent else None}
            for c in units.communes(province_code)
        ]
    }  # fmt: skip


class SendingSchema(ma.Schema):
    """The month whose report the commune sent."""

    month = String(
        required=True,
        validate=length(7, 7),
        metadata={"description": "YYYY-MM: the month the report is about"},
    )


@blp.route("/monthly-reports/sendings")
class MonthlyReportSendings(MethodView):
    """Your commune's monthly report marked as sent to the province (once per month)."""

    @official_required()
    @blp.arguments(SendingSchema)
    @blp.response(201, description="the commune, month and moment it was sent")
    def post(self, body):
        """Commune officers and chairs: `{"month": "YYYY-MM"}` (a month of January–August that
        is over) → `{"unit", "month", "sent_at"}`; 409 when it was already sent (a repeated
        click records nothing), 422 for a month with no report or not over yet."""
        month = parse_month(body["month"])
        if month is None:
            raise ValidationFailed("The month is not valid.", {"month": "YYYY-MM"})
        context = node_context()
        sending = send_monthly_report(
            db.session, require_official(), month, context.now, context.today
        )
        db.session.commit()
        return {
            "unit": sending.commune_code,
            "month": body["month"],
            "sent_at": as_utc(sending.sent_at).isoformat(),
        }


@blp.route("/annual-reports")
class AnnualReport(MethodView):
    """The annual report at the end of the periodic review for your unit."""

    @official_required()
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, description="the year's results by commune (counts only)")
    def get(self, query):
        """The JSON of the report forms (`{"form", "title", "basis", "unit", "period",
        "columns", "rows", "totals"}`), or `format=xlsx`."""
        context = node_context()
        period = query.get("period") or current_period(context.today)
        table = annual_report(
            db.session, require_official(), context.province_code, period, query.get("unit")
        )
        if query["format"] == "xlsx":
            name = f"bao-cao-nam-{table.unit_code}-{period}.xlsx"
            return Response(
                report_xlsx(table, context.today, query["lang"], numbered_form=False),
                mimetype=XLSX,
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        sent = annual_sendings(db.session, period)
        return {
            **report_json(table, query["lang"]),
            **_sent(table.unit_code, context.province_code, sent),
        }


class AnnualSendingSchema(ma.Schema):
    """The period whose annual report the commune sent."""

    period = Integer(
        required=True,
        validate=between(2000, 2100),
        metadata={"description": "the year the lists take effect (reviewed the year before)"},
    )


@blp.route("/annual-reports/sendings")
class AnnualReportSendings(MethodView):
    """Your commune's annual report marked as sent to the province (once per period)."""

    @official_required()
    @blp.arguments(AnnualSendingSchema)
    @blp.response(201, description="the commune, period and moment it was sent")
    def post(self, body):
        """Commune officers and chairs: `{"period": 2027}` (a periodic review that has closed)
        → `{"unit", "period", "sent_at"}`; 409 when it was already sent, 422 while the review
        is still open."""
        context = node_context()
        sending = send_annual_report(
            db.session, require_official(), body["period"], context.now, context.today
        )
        db.session.commit()
        return {
            "unit": sending.commune_code,
            "period": sending.period,
            "sent_at": as_utc(sending.sent_at).isoformat(),
        }
