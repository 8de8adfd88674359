"""The regular review's monthly report (Decision 24/2021 Art. 7) as an XLSX in the printed
layout of the other report files: the issuing agency and the motto, the title, the unit and
month, the numbered lines with their counts (numbers, not text), the place-and-date line and
the signatures (node.services.report_files' form sheet)."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook

from node.services.monthly_report import LINES, MonthlyReport
from node.services.report_files import (
    BOLD,
    BOX,
    CENTER,
    TEXTS,
    FormSheet,
    boxed_row,
    dated_line,
)
from shared import units
from shared.numbers import XLSX_FORMATS
from shared.spreadsheets import print_layout, xlsx_bytes


def unit_display_name(unit: str) -> str:
    """The province's or the commune's name."""
    if units.is_province_code(unit):
        return units.province(unit).name
    return units.commune(unit).name


HEADER_ROW = 7  # under the form's heading (rows 1–6)
WORDS = {
    "vi": {
        "title": "Báo cáo tháng kết quả rà soát thường xuyên",
        "basis": "Quyết định số 24/2021/QĐ-TTg, Điều 7",
        "month": "Tháng",
        "columns": ("STT", "Nội dung", "Số lượng", "Ghi chú"),
        "due": "Hạn gửi: {day}",
    },
    "en": {
        "title": "Monthly report of the regular review",
        "basis": "Decision 24/2021/QĐ-TTg, Art. 7",
        "month": "Month",
        "columns": ("No.", "Item", "Count", "Notes"),
        "due": "Due on {day}",
    },
}
WIDTHS = {"A": 7, "B": 62, "C": 14, "D": 24}


def monthly_report_xlsx(report: MonthlyReport, today: date, lang: str = "vi") -> bytes:
    """The report as an XLSX workbook (A4 landscape, header frozen and repeated)."""
    texts, words = TEXTS[lang], WORDS[lang]
    unit_name = unit_display_name(report.unit)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{report.month:%Y-%m}"
    form = FormSheet(sheet, len(words["columns"]))
    form.agency(report.unit, texts)
    if report.due_on:
        form.merged(3, words["due"].format(day=f"{report.due_on:%d/%m/%Y}"), None, 1, form.half)
    month = f"{words['month']} {report.month.month:02d}/{report.month.year}"
    form.titles(words["title"], f"{texts['unit']}: {unit_name} — {month}", words["basis"])
    for column, text in enumerate(words["columns"], start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
        cell.font, cell.alignment, cell.border = BOLD, CENTER, BOX
    formats = [XLSX_FORMATS["count"], None, XLSX_FORMATS["count"], None]
    label = 1 if lang == "vi" else 2
    for number, line in enumerate(LINES, start=1):
        values = [number, line[label], report.figures[line[0]], ""]
        boxed_row(sheet, HEADER_ROW + number, values, formats)
    form.signatures(HEADER_ROW + len(LINES) + 2, texts, dated_line(texts, unit_name, today))
    for letter, width in WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.row_dimensions[HEADER_ROW].height = 30
    print_layout(sheet, HEADER_ROW)
    return xlsx_bytes(book)
