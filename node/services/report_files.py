"""Reports as files: CSV and XLSX laid out like the official forms, and JSON for programs.

The XLSX follows the printed layout: the issuing unit and the national motto at the top, the
title, unit and period, the table with its totals, then the signature block.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from node.services.reports import ReportTable
from shared.spreadsheets import csv_writer, xlsx_bytes

CLASS_NAMES = {
    "vi": {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"},
    "en": {"poor": "Poor", "near_poor": "Near-poor"},
}
TEXTS = {
    "vi": {
        "code": "Mã",
        "unit": "Đơn vị",
        "name": "Đơn vị hành chính",
        "period": "Năm",
        "motto": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto2": "Độc lập - Tự do - Hạnh phúc",
        "preparer": "NGƯỜI LẬP BIỂU",
        "head": "THỦ TRƯỞNG ĐƠN VỊ",
        "sign": "(Ký, ghi rõ họ tên)",
        "sign_stamp": "(Ký tên, đóng dấu)",
        "dated": "ngày {d} tháng {m} năm {y}",
        "form": "Biểu",
    },
    "en": {
        "code": "Code",
        "unit": "Unit",
        "name": "Administrative unit",
        "period": "Year",
        "motto": "SOCIALIST REPUBLIC OF VIETNAM",
        "motto2": "Independence - Freedom - Happiness",
        "preparer": "PREPARED BY",
        "head": "HEAD OF UNIT",
        "sign": "(Signature, full name)",
        "sign_stamp": "(Signature and seal)",
        "dated": "{y}-{m:02d}-{d:02d}",
        "form": "Form",
    },
}


def _display(value: Any, key: str, lang: str) -> Any:
    if key == "classification":
        return CLASS_NAMES[lang].get(value, value)
    return "" if value is None else value


def report_json(table: ReportTable, lang: str = "vi") -> dict[str, Any]:
    """The report for programs: title, unit, period, columns, rows and totals."""
    return {
        "form": table.code,
        "title": table.title[lang],
        "unit": {"code": table.unit_code, "name": table.unit_name},
        "period": table.period,
        "columns": [{"key": c.key, "label": c.label[lang]} for c in table.columns],
        "rows": [
            {"code": r["code"], "name": r["name"], **{c.key: r[c.key] for c in table.columns}}
            for r in table.rows
        ],
        "totals": [
            {
                "code": t["code"],
                "name": t["label"][lang],
                **{c.key: t[c.key] for c in table.columns},
            }
            for t in table.totals
        ],
    }


def report_csv(table: ReportTable, lang: str = "vi") -> str:
    """The report as CSV (UTF-8 with a BOM so spreadsheet programs read Vietnamese right)."""
    texts = TEXTS[lang]
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([texts["code"], texts["name"], *(c.label[lang] for c in table.columns)])
    for row in table.rows:
        writer.writerow(
            [row["code"], row["name"], *(_display(row[c.key], c.key, lang) for c in table.columns)]
        )
    for total in table.totals:
        writer.writerow(
            [
                "",
                total["label"][lang],
                *(_display(total[c.key], c.key, lang) for c in table.columns),
            ]
        )
    return "\ufeff" + out.getvalue()


def report_xlsx(table: ReportTable, today: date, lang: str = "vi") -> bytes:
    """The report as an XLSX workbook in the printed layout of the official forms."""
    texts = TEXTS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = table.code
    form = _FormSheet(sheet, len(table.columns) + 2)
    form.heading(table, texts, lang)
    last_row = _write_table(sheet, table, texts, lang)
    form.signatures(last_row + 2, texts, today)
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 30
    for column in range(3, form.width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.row_dimensions[_HEADER_ROW].height = 45
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    return xlsx_bytes(book)


_HEADER_ROW = 7  # the table's header; the form's heading is above it
_BOLD = Font(bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class _FormSheet:
    """The heading and signature block of a form, in halves of the table's ``width``."""

    def __init__(self, sheet: Worksheet, width: int) -> None:
        self.sheet = sheet
        self.width = width
        self.half = max(1, width // 2)

    def merged(
        self, row: int, text: str, font: Font | None = None, first: int = 1, last: int | None = None
    ) -> None:
        """``text`` centred across columns ``first`` to ``last`` (default: the last) of ``row``."""
        last = self.width if last is None else last
        self.sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = self.sheet.cell(row=row, column=first, value=text)
        cell.alignment = _CENTER
        if font:
            cell.font = font

    def heading(self, table: ReportTable, texts: dict[str, str], lang: str) -> None:
        """The issuing unit and the motto side by side, then the title, unit and period."""
        half, width = self.half, self.width
        self.merged(1, table.unit_name.upper(), _BOLD, 1, half)
        self.merged(1, texts["motto"], _BOLD, half + 1, width)
        self.merged(2, f"{texts['form']} {table.code}", None, 1, half)
        self.merged(2, texts["motto2"], Font(bold=True, underline="single"), half + 1, width)
        self.merged(4, table.title[lang].upper(), Font(bold=True, size=13))
        self.merged(5, f"{texts['unit']}: {table.unit_name} — {texts['period']}: {table.period}")

    def signatures(self, row: int, texts: dict[str, str], today: date) -> None:
        """The date, the preparer's and the head's signature blocks, from ``row`` down."""
        half, width = self.half, self.width
        self.merged(row, texts["dated"].format(d=today.day, m=today.month, y=today.year), None,
                    half + 1, width)  # fmt: skip
        self.merged(row + 1, texts["preparer"], _BOLD, 1, half)
        self.merged(row + 1, texts["head"], _BOLD, half + 1, width)
        self.merged(row + 2, texts["sign"], None, 1, half)
        self.merged(row + 2, texts["sign_stamp"], None, half + 1, width)


def _write_table(sheet: Worksheet, table: ReportTable, texts: dict[str, str], lang: str) -> int:
    """The header, rows and totals from _HEADER_ROW down, boxed; returns the last row."""
    headers = [texts["code"], texts["name"], *(c.label[lang] for c in table.columns)]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=_HEADER_ROW, column=column, value=text)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BOX
    row_number = _HEADER_ROW
    for row in table.rows:
        row_number += 1
        values = [
            row["code"],
            row["name"],
            *(_display(row[c.key], c.key, lang) for c in table.columns),
        ]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row_number, column=column, value=value).border = _BOX
    for total in table.totals:
        row_number += 1
        values = [
            "",
            total["label"][lang],
            *(_display(total[c.key], c.key, lang) for c in table.columns),
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            cell.font, cell.border = _BOLD, _BOX
    return row_number
