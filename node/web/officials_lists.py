"""Officials' pages of issue 14: the list of farming, forestry, fishery and salt households with
an average living standard (Decision 24/2021 Art. 3) and the list of low-income workers (Decree
30/2025), each a page, a CSV and an XLSX whose reading is audited; and the regular review's
monthly report (Art. 7) with its due date; the same as the API gives (node.api.reports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from node.auth import signed_in
from node.context import node_context
from node.extensions import db
from node.report_responses import XLSX
from node.services import audit
from node.services.errors import ValidationFailed
from node.services.livelihood_list import AVERAGE_LIVELIHOOD, average_livelihood_households
from node.services.low_income_list import LOW_INCOME_WORKERS, low_income_workers
from node.services.monthly_report import LINES, MonthlyReport, monthly_report, parse_month
from node.services.monthly_report_file import monthly_report_xlsx
from node.services.monthly_report_sending import SENDERS, send_monthly_report, sendings
from node.services.named_lists import NamedList
from node.services.periods import current_period
from node.services.reports import REPORT_READERS
from node.web import officials_forms as words
from node.web.officials import bp, lang, official
from node.web.report_sending import mark_sent
from shared import units


@dataclass(frozen=True)
class ListPages:
    """A named list's page and its CSV and XLSX: where they live, how the rows are read (scope
    checked), how they print (with the audit action their reading records)."""

    name: str  # the endpoints: officials.<name>_list, _csv, _xlsx
    path: str
    read: Callable[..., tuple[str, list[dict[str, Any]]]]
    printed: NamedList
    template: str


def _add_list_pages(pages: ListPages) -> None:
    """Register the list's page, CSV and XLSX on the officials' blueprint (report readers)."""

    def csv_file() -> Response:
        unit, period, rows = _read_list(pages)
        name = f"{pages.printed.file_stem}-{unit}-{period}.csv"
        disposition = f'attachment; filename="{name}"'
        return Response(pages.printed.csv(rows, lang()), mimetype="text/csv",
                        headers={"Content-Disposition": disposition})  # fmt: skip

    def xlsx_file() -> Response:
        unit, period, rows = _read_list(pages)
        name = f"{pages.printed.file_stem}-{unit}-{period}.xlsx"
        return Response(
            pages.printed.xlsx(unit, period, rows, node_context().today, lang()),
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"',
                     "Cache-Control": "no-store"},  # personal data
        )  # fmt: skip

    def page() -> tuple[str, int]:
        unit, period, rows = _read_list(pages)
        context = node_context()
        communes = {c.code: c.name for c in units.communes(context.province_code)}
        return render_template(pages.template, rows=rows, unit=unit, period=period,
                               list_name=pages.name,
                               unit_name=_unit_name(context.province_code, unit),
                               commune_names=communes), 200  # fmt: skip

    for suffix, view, about in (
        (".csv", csv_file, "The same list as CSV."),
        (".xlsx", xlsx_file, "The same list as XLSX, in the printed layout of the report files."),
        ("", page, "The list's page, by commune and village; reading it is audited."),
    ):
        view.__doc__ = about
        endpoint = f"{pages.name}_{suffix.lstrip('.') or 'list'}"
        bp.add_url_rule(pages.path + suffix, endpoint,
                        signed_in(*REPORT_READERS)(view), methods=["GET"])  # fmt: skip


def _read_list(pages: ListPages) -> tuple[str, int, list[dict[str, Any]]]:
    """The list for the request's unit and period, its reading audited (personal data)."""
    signer = official()
    context = node_context()
    period = words.parse_count(request.args.get("period"))
    if period is None or not 2000 <= period <= 2100:
        period = current_period(context.today)
    unit, rows = pages.read(
        db.session, signer, context.province_code, period, request.args.get("unit") or None
    )
    audit.record(db.session, signer, pages.printed.action, "report", None, context.now,
                 details={"unit": unit, "period": period})  # fmt: skip
    db.session.commit()
    return unit, period, rows


_add_list_pages(
    ListPages(
        name="average_livelihood",
        path="/lists/average-livelihood",
        read=average_livelihood_households,
        printed=AVERAGE_LIVELIHOOD,
        template="officials/average_livelihood.html",
    )
)
_add_list_pages(
    ListPages(
        name="low_income_workers",
        path="/lists/low-income-workers",
        read=low_income_workers,
        printed=LOW_INCOME_WORKERS,
        template="officials/low_income_workers.html",
    )
)


@bp.get("/reports/monthly.xlsx")
@signed_in(*REPORT_READERS)
def monthly_report_file() -> Response:
    """The monthly report as XLSX, in the form's printed layout."""
    report = _monthly()
    name = f"bao-cao-thang-{report.unit}-{report.month:%Y-%m}.xlsx"
    return Response(
        monthly_report_xlsx(report, node_context().today, lang()),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _monthly(month: date | None = None) -> MonthlyReport:
    """The monthly report of the month and unit asked for (by default the month before this
    one, whose report is due next)."""
    context = node_context()
    month = month or parse_month(request.values.get("month"))
    if month is None:
        month = (context.today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return monthly_report(
        db.session, official(), context.province_code, month, request.values.get("unit") or None
    )


@bp.get("/reports/monthly")
@signed_in(*REPORT_READERS)
def monthly_report_page() -> tuple[str, int]:
    """The regular review's monthly report (Decision 24/2021 Art. 7), with its due date and
    whether it was sent (the commune's, or every commune's for the province)."""
    return _render_monthly(_monthly())


@bp.post("/reports/monthly/sent")
@signed_in(*SENDERS)
def send_monthly_report_page() -> Response | tuple[str, int]:
    """Mark the commune's report on the month as sent to the province (once)."""
    context = node_context()
    month = parse_month(request.form.get("month"))

    def send() -> None:
        if month is None:
            raise ValidationFailed("The month is not valid.", {"month": "invalid"})
        send_monthly_report(db.session, official(), month, context.now, context.today)

    return mark_sent(
        send,
        lambda refusal, status: _render_monthly(
            _monthly(month if status == 409 else None), refusal, status
        ),
        SEND_REFUSALS,
        "month",
        _("The report on %(month)s/%(year)s is recorded as sent to the province.",
          month=month.month, year=month.year) if month else "",
        url_for("officials.monthly_report_page", month=f"{month:%Y-%m}" if month else None),
    )  # fmt: skip


SEND_REFUSALS = {
    "invalid": _l("The month is not valid."),
    "not_due": _l("No monthly report is due for this month."),
    "not_over": _l("The month is not over yet: its report is sent after it ends."),
}


def _render_monthly(report: MonthlyReport, refusal: str | None = None, status: int = 200
                    ) -> tuple[str, int]:  # fmt: skip
    """The monthly report's page, with the sending (or every commune's, for the province)."""
    context = node_context()
    signer = official()
    sent = sendings(db.session, report.month)
    communes = units.communes(context.province_code) if report.unit == context.province_code else []
    may_send = signer.role in SENDERS and report.due_on is not None
    return render_template(
        "officials/monthly_report.html",
        report=report,
        lines=LINES,
        unit_name=_unit_name(context.province_code, report.unit),
        lang=lang(),
        sent_at=sent.get(report.unit),
        communes=communes,
        sendings=sent,
        may_send=may_send and report.month < context.today.replace(day=1),
        refusal=refusal,
    ), status


def _unit_name(province_code: str, unit: str) -> str:
    if unit == province_code:
        return units.province(province_code).name
    return units.commune(unit).name
