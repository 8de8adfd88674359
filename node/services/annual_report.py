"""The annual report at the end of the periodic review (Decision 24/2021 Art. 7, as issue 14
reads it; the form is not checked against the text): for a year, the review's results by
commune from the node's data — the poor and near-poor at the start and the end, the new, fallen
back and exited households, the average households, the average-livelihood list and the
low-income workers (persons). Built like the R forms (node.services.reports), so the page, the
XLSX and the API share one table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from node.services.reports import R1_COLUMNS, R2_COLUMNS, Form, ReportTable, form_table, report_unit
from node.services.scopes import Official

ANNUAL = Form(
    "NAM",
    {
        "vi": "Báo cáo kết quả rà soát định kỳ hộ nghèo, hộ cận nghèo",
        "en": "Annual report of the periodic review of poor and near-poor households",
    },
    lambda period: [
        *R2_COLUMNS,
        *(
            c
            for c in R1_COLUMNS
            if c.key in ("average", "average_livelihood", "low_income_workers")
        ),
    ],
    needs_previous_period=True,
    basis={
        "vi": "Căn cứ: Quyết định số 24/2021/QĐ-TTg, Điều 7; mẫu biểu chưa được đối chiếu với "
        "văn bản",
        "en": "Basis: Decision 24/2021/QĐ-TTg, Art. 7; the form is not yet checked against the "
        "text",
    },
)


def annual_report(
    session: Session, official: Official, province_code: str, period: int, unit: str | None
) -> ReportTable:
    """The year's results for the official's commune or the province (scope checked)."""
    unit = report_unit(official, province_code, unit)
    return form_table(session, ANNUAL, province_code, period, unit)
