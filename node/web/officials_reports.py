"""Report forms R1–R5 for the signed-in official's unit: an HTML table, and the same CSV and XLSX
files the API gives bearer clients (node.api.reports), streamed for the web session."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from node.auth import signed_in
from node.context import node_context
from node.extensions import db
from node.report_responses import XLSX, r5_response
from node.services import audit
from node.services.annual_report import annual_report
from node.services.annual_report_sending import due_on as annual_due_on
from node.services.annual_report_sending import review_closes_on, send_annual_report
from node.services.annual_report_sending import sendings as annual_sendings
from node.services.errors import ValidationFailed
from node.services.periods import current_period
from node.services.report_files import report_csv, report_xlsx
from node.services.report_sending import SENDERS
from node.services.reports import (
    FORM_CODES,
    FORMS,
    REPORT_READERS,
    ReportTable,
    build_report,
    r5_count,
    recognised_households,
    report_unit,
)
from node.web import officials_forms as words
from node.web.officials import bp, lang, official
from node.web.report_sending import mark_sent
from shared import units


def _table(form: str) -> tuple[ReportTable, str, int]:
    """The report table for the request's unit and period; R5's reading is audited."""
    signer = official()
    context = node_context()
    unit = report_unit(signer, context.province_code, request.args.get("unit") or None)
    period = _period(context.today)
    if form == "R5":
        # A list of named households is a read of personal data: its first rows here, the whole
        # list in the files (report_file).
        audit.record(db.session, signer, "report_r5", "report", None, context.now,
                     details={"unit": unit, "period": period})  # fmt: skip
        db.session.commit()
        table = recognised_households(db.session, context.province_code, period, unit)
    else:
        table = build_report(db.session, form, context.province_code, period, unit)
    return table, unit, period


def _period(today: date) -> int:
    """The period asked for, or the current one."""
    period = words.parse_count(request.args.get("period"))
    if period is None or not 2000 <= period <= 2100:
        return current_period(today)
    return period


@bp.get("/reports")
@signed_in(*REPORT_READERS)
def reports() -> tuple[str, int]:
    """A report form as a table, with its CSV and XLSX downloads."""
    signer = official()
    context = node_context()
    form = request.args.get("form", "R1")
    if form not in FORM_CODES:
        form = "R1"
    table, unit, period = _table(form)
    communes = units.communes(context.province_code) if signer.level == "province" else []
    titles = {code: f.title[lang()] for code, f in FORMS.items()}
    titles["R5"] = (
        table.title[lang()]
        if form == "R5"
        else _("List of recognised poor and near-poor households")
    )
    listed = r5_count(db.session, context.province_code, period, unit) if form == "R5" else None
    return (
        render_template(
            "officials/reports.html",
            table=table,
            form=form,
            unit=unit,
            period=period,
            titles=titles,
            communes=communes,
            province_code=context.province_code,
            lang=lang(),
            listed=listed,
        ),
        200,
    )


@bp.get("/reports/<form>.<fmt>")
@signed_in(*REPORT_READERS)
def report_file(form: str, fmt: str) -> Response:
    """The report as CSV or XLSX, laid out like the official form."""
    if form not in FORM_CODES or fmt not in ("csv", "xlsx"):
        abort(404)
    if form == "R5":
        signer, context = official(), node_context()
        unit = report_unit(signer, context.province_code, request.args.get("unit") or None)
        period = _period(context.today)
        audit.record(db.session, signer, "report_r5", "report", None, context.now,
                     details={"unit": unit, "period": period})  # fmt: skip
        db.session.commit()
        return r5_response(db.session, context.province_code, period, unit, fmt, lang(),
                           context.today)  # fmt: skip
    table, unit, period = _table(form)
    name = f"{form}-{unit}-{period}"
    if fmt == "csv":
        return Response(
            report_csv(table, lang()),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        report_xlsx(table, node_context().today, lang()),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@bp.get("/reports/annual")
@signed_in(*REPORT_READERS)
def annual_report_page() -> tuple[str, int]:
    """The annual report at the end of the periodic review: the year's results by commune, and
    whether it was sent to the province (the commune's, or every commune's for the province)."""
    return _render_annual(_annual())


@bp.post("/reports/annual/sent")
@signed_in(*SENDERS)
def send_annual_report_page() -> Response | tuple[str, int]:
    """Mark the commune's annual report on the period as sent to the province (once)."""
    context = node_context()
    period = words.parse_count(request.form.get("period"))

    def send() -> None:
        if period is None:
            raise ValidationFailed("The period is not valid.", {"period": "invalid"})
        send_annual_report(db.session, official(), period, context.now, context.today)

    return mark_sent(
        send,
        lambda refusal, status: _render_annual(
            _annual(period if status == 409 else None), refusal, status
        ),
        ANNUAL_REFUSALS,
        "period",
        _("The annual report for %(period)s is recorded as sent to the province.", period=period),
        url_for("officials.annual_report_page", period=period),
    )


ANNUAL_REFUSALS = {
    "invalid": _l("The year is not valid."),
    "not_over": _l("The periodic review is not over yet: its report is sent after it closes."),
}


def _render_annual(table: ReportTable, refusal: str | None = None, status: int = 200
                   ) -> tuple[str, int]:  # fmt: skip
    context = node_context()
    signer = official()
    province = official().level == "province"
    sent = annual_sendings(db.session, table.period)
    return render_template(
        "officials/annual_report.html",
        table=table,
        communes=units.communes(context.province_code) if province else [],
        province_code=context.province_code,
        lang=lang(),
        due_on=annual_due_on(table.period),
        sendings=sent if table.unit_code == context.province_code else {},
        sent_at=sent.get(table.unit_code),
        may_send=signer.role in SENDERS and context.today > review_closes_on(table.period),
        refusal=refusal,
    ), status


@bp.get("/reports/annual.xlsx")
@signed_in(*REPORT_READERS)
def annual_report_file() -> Response:
    """The annual report as XLSX, in the printed layout of the report forms."""
    table = _annual()
    return Response(
        report_xlsx(table, node_context().today, lang(), numbered_form=False),
        mimetype=XLSX,
        headers={
            "Content-Disposition": (
                f'attachment; filename="bao-cao-nam-{table.unit_code}-{table.period}.xlsx"'
            )
        },
    )


def _annual(period: int | None = None) -> ReportTable:
    context = node_context()
    return annual_report(db.session, official(), context.province_code,
                         period or _period(context.today),
                         request.args.get("unit") or None)  # fmt: skip
