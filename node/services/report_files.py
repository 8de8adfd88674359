"""Reports as files: CSV and XLSX laid out like the official forms, and JSON for programs.

The XLSX follows the printed layout: the issuing unit and the national motto at the top, the
title, unit and period, the table with its totals, then the signature block.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from node.services.reports import Column, ReportTable
from shared import units
from shared.numbers import XLSX_FORMATS
from shared.paper_words import bare_name, date_parts
from shared.spreadsheets import SafeSheet, XlsxStream, csv_writer, print_layout, xlsx_bytes

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
        "dated": "{place}, ngày {d} tháng {m} năm {y}",
        "form": "Biểu",
        "committee": "ỦY BAN NHÂN DÂN",
        "department": "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
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
        "dated": "{place}, {d}/{m}/{y}",
        "form": "Form",
        "committee": "PEOPLE'S COMMITTEE",
        "department": "DEPARTMENT OF AGRICULTURE AND ENVIRONMENT",
    },
}


def dated_line(texts: dict[str, str], unit_name: str, today: date) -> str:
    """The place-and-date line (Decree 30/2020): "Cửa Nam, ngày 05 tháng 02 năm 2026"."""
    d, m, y = date_parts(today)
    return texts["dated"].format(place=bare_name(unit_name), d=d, m=m, y=y)


def _display(value: Any, key: str, lang: str) -> Any:
    if key == "classification":
        return CLASS_NAMES[lang].get(value, value)
    if isinstance(value, list):  # R5's member names, as the page shows them
        return ", ".join(value)
    return "" if value is None else value


def issuing_agency(unit_code: str, texts: dict[str, str]) -> tuple[str, str]:
    """The top-left block of a form (Decree 30/2020: the agency above, the issuing one under
    it): a commune's People's Committee for a commune's report, the province's Department of
    Agriculture and Environment, under its People's Committee, for the province's."""
    if units.is_province_code(unit_code):
        province = units.province(unit_code)
        name = province.name
        if not name.casefold().startswith(("tỉnh", "thành phố")):
            name = f"{province.kind} {name}"  # "tỉnh Lai Châu"; "Thành phố Hà Nội" says it
        return f"{texts['committee']} {name.upper()}", texts["department"]
    return texts["committee"], units.commune(unit_code).name.upper()


def _number_format(column: Column) -> str | None:
    """How a column's numbers show in the XLSX (they stay numbers): rates with two decimals."""
    if column.key == "birth_year":  # a year, not a count: 1985, never 1,985
        return "0"
    if column.key in ("number", "members") or column.key.startswith("deprived."):
        return XLSX_FORMATS["count"]
    if column.is_rate:
        return XLSX_FORMATS["rate"]
    return None if column.key in _TEXT_KEYS else XLSX_FORMATS["count"]


_TEXT_KEYS = {"head_name", "village", "classification", "member_names", "certificate", "commune"}


def report_json(table: ReportTable, lang: str = "vi") -> dict[str, Any]:
    """The report for programs: title, unit, period, columns, rows and totals."""
    return {
        "form": table.code,
        "title": table.title[lang],
        "basis": table.basis[lang],
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


def report_xlsx(table: ReportTable, today: date, lang: str = "vi", *, numbered_form: bool = True
                ) -> bytes:  # fmt: skip
    """The report as an XLSX workbook in the printed layout of the official forms
    (``numbered_form=False``: a report with no form number, "Biểu …", confirmed)."""
    texts = TEXTS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = table.code
    form = FormSheet(sheet, len(table.columns) + 2)
    form.heading(table, texts, lang, numbered_form)
    last_row = _write_table(sheet, table, texts, lang)
    form.signatures(last_row + 2, texts, dated_line(texts, table.unit_name, today))
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 30
    for column in range(3, form.width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.row_dimensions[_HEADER_ROW].height = 45
    print_layout(sheet, _HEADER_ROW, frozen_columns=2)
    return xlsx_bytes(book)


_HEADER_ROW = 7  # the table's header; the form's heading is above it
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class FormSheet:
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
        cell.alignment = CENTER
        if font:
            cell.font = font

    def heading(self, table: ReportTable, texts: dict[str, str], lang: str,
                numbered_form: bool = True) -> None:  # fmt: skip
        """The issuing unit and the motto side by side, then the title, unit and period."""
        self.agency(table.unit_code, texts)
        if numbered_form:
            self.merged(3, f"{texts['form']} {table.code}", None, 1, self.half)
        unit_line = f"{texts['unit']}: {table.unit_name} — {texts['period']}: {table.period}"
        self.titles(table.title[lang], unit_line, table.basis[lang])

    def agency(self, unit_code: str, texts: dict[str, str]) -> None:
        """Rows 1–2: the issuing agency (left) and the national motto (right)."""
        half, width = self.half, self.width
        above, issuer = issuing_agency(unit_code, texts)
        self.merged(1, above, None, 1, half)
        self.merged(1, texts["motto"], BOLD, half + 1, width)
        self.merged(2, issuer, BOLD, 1, half)
        self.merged(2, texts["motto2"], Font(bold=True, underline="single"), half + 1, width)

    def titles(self, title: str, unit_line: str, basis: str) -> None:
        """Rows 4–6: the title, the unit and time it covers, the legal basis."""
        self.merged(4, title.upper(), Font(bold=True, size=13))
        self.merged(5, unit_line)
        self.merged(6, basis, Font(italic=True, size=9))

    def signatures(self, row: int, texts: dict[str, str], dated: str) -> None:
        """The place and date, the preparer's and the head's signature blocks, from ``row`` down."""
        half, width = self.half, self.width
        self.merged(row, dated, Font(italic=True), half + 1, width)
        self.merged(row + 1, texts["preparer"], BOLD, 1, half)
        self.merged(row + 1, texts["head"], BOLD, half + 1, width)
        self.merged(row + 2, texts["sign"], None, 1, half)
        self.merged(row + 2, texts["sign_stamp"], None, half + 1, width)


def _write_table(sheet: Worksheet, table: ReportTable, texts: dict[str, str], lang: str) -> int:
    """The header, rows and totals from _HEADER_ROW down, boxed; returns the last row."""
    headers = [texts["code"], texts["name"], *(c.label[lang] for c in table.columns)]
    formats = [None, None, *(_number_format(c) for c in table.columns)]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=_HEADER_ROW, column=column, value=text)
        cell.font, cell.alignment, cell.border = BOLD, CENTER, BOX
    row_number = _HEADER_ROW
    for row in table.rows:
        row_number += 1
        values = [
            row["code"],
            row["name"],
            *(_display(row[c.key], c.key, lang) for c in table.columns),
        ]
        boxed_row(sheet, row_number, values, formats)
    for total in table.totals:
        row_number += 1
        values = [
            "",
            total["label"][lang],
            *(_display(total[c.key], c.key, lang) for c in table.columns),
        ]
        for cell in boxed_row(sheet, row_number, values, formats):
            cell.font = BOLD
    return row_number


def boxed_row(sheet: Worksheet, row: int, values: list[Any], formats: list[str | None]
               ) -> list[Any]:  # fmt: skip
    """One row of the table, boxed, its numbers in their formats; returns its cells."""
    cells = []
    for column, (value, number_format) in enumerate(zip(values, formats, strict=True), start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = BOX
        if number_format and isinstance(value, int | float):
            cell.number_format = number_format
        cells.append(cell)
    return cells


# ------------------------------------------------------------------- R5, a list of any length
# Written out as its rows are read (node.services.reports.r5_rows): CSV and JSON in chunks, the
# XLSX in openpyxl's write-only mode into a temporary file. Its columns are the form's own (the
# row number first), without the code and name the unit tables lead with.

_CHUNK = 64 * 1024


def named_list_csv(heading: ReportTable, rows: Iterable[dict[str, Any]], lang: str = "vi"
                   ) -> Iterator[str]:  # fmt: skip
    """R5 as CSV (UTF-8 with a BOM), in chunks of about 64 KB."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow([c.label[lang] for c in heading.columns])
    for row in rows:
        writer.writerow([_display(row[c.key], c.key, lang) for c in heading.columns])
        if out.tell() >= _CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def named_list_json(heading: ReportTable, rows: Iterable[dict[str, Any]], lang: str = "vi"
                    ) -> Iterator[str]:  # fmt: skip
    """R5 as the JSON of ``report_json`` (the same keys), in chunks."""
    head = json.dumps(report_json(heading, lang), ensure_ascii=False)
    # report_json(heading) ends with "rows": [], "totals": []}: the rows go between the brackets.
    before, after = head.rsplit('"rows": []', 1)
    parts = [before, '"rows": [']
    size = 0
    for index, row in enumerate(rows):
        item = {
            "code": row["code"],
            "name": row["name"],
            **{c.key: row[c.key] for c in heading.columns},
        }
        text = ("," if index else "") + json.dumps(item, ensure_ascii=False)
        parts.append(text)
        size += len(text)
        if size >= _CHUNK:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("]" + after)
    yield "".join(parts)


def named_list_xlsx(heading: ReportTable, rows: Iterable[dict[str, Any]], today: date,
                    lang: str = "vi", *, numbered_form: bool = True) -> IO[bytes]:  # fmt: skip
    """R5 (or another list of households) as XLSX in the form's layout (heading, table,
    signatures), written row by row; the file is returned rewound, for the caller to send and
    close. ``numbered_form=False``: a list with no form number ("Biểu …") confirmed."""
    texts = TEXTS[lang]
    stream = XlsxStream()
    sheet = stream.sheet(heading.code)
    width = len(heading.columns)
    widths = {"number": 8, "commune": 24, "head_name": 30, "village": 20, "classification": 14,
              "members": 10, "member_names": 50, "certificate": 20, "full_name": 30,
              "birth_year": 10, "sex": 10}  # fmt: skip
    for column, key in enumerate((c.key for c in heading.columns), start=1):
        size = widths.get(key, 16)
        sheet.sheet.column_dimensions[get_column_letter(column)].width = size
    print_layout(sheet.sheet, _HEADER_ROW)
    written = _stream_heading(sheet, heading, texts, lang, width, numbered_form)
    sheet.append([sheet.cell(c.label[lang], font=BOLD, alignment=CENTER, border=BOX)
                  for c in heading.columns])  # fmt: skip
    written += 1
    formats = [_number_format(c) for c in heading.columns]
    for row in rows:
        values = (_display(row[c.key], c.key, lang) for c in heading.columns)
        sheet.append([_numbered(sheet, v, f) for v, f in zip(values, formats, strict=True)])
        written += 1
    _stream_signatures(
        sheet, written + 1, texts, dated_line(texts, heading.unit_name, today), width
    )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller closes it
    stream.write_to(out)
    out.seek(0)
    return out


def _numbered(sheet: SafeSheet, value: Any, number_format: str | None) -> Any:
    """A number as a cell in its format; anything else as it is."""
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        return sheet.cell(value, number_format=number_format)
    return value


def _merge(sheet: SafeSheet, row: int, first: int, last: int) -> None:
    if last > first:
        sheet.sheet.merged_cells.add(
            f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}"
        )


def _stream_heading(sheet: SafeSheet, heading: ReportTable, texts: dict[str, str], lang: str,
                    width: int, numbered_form: bool = True) -> int:  # fmt: skip
    """The heading rows of ``FormSheet.heading``, written in order; returns the rows written."""
    half = max(1, width // 2)
    centred = {"alignment": CENTER}
    above, issuer = issuing_agency(heading.unit_code, texts)
    lines = [
        ((above, None), (texts["motto"], BOLD)),
        ((issuer, BOLD), (texts["motto2"], Font(bold=True, underline="single"))),
        ((f"{texts['form']} {heading.code}" if numbered_form else "", None), ("", None)),
        ((heading.title[lang].upper(), Font(bold=True, size=13)),),
        ((f"{texts['unit']}: {heading.unit_name} — {texts['period']}: {heading.period}", None),),
        ((heading.basis[lang], Font(italic=True, size=9)),),
    ]  # fmt: skip
    for number, line in enumerate(lines, start=1):
        cells: list[Any] = []
        if len(line) == 2:
            (left, left_font), (right, right_font) = line
            cells = [sheet.cell(left, font=left_font or Font(), **centred)] + [None] * (half - 1)
            cells.append(sheet.cell(right, font=right_font or Font(), **centred))
            _merge(sheet, number, 1, half)
            _merge(sheet, number, half + 1, width)
        elif line:
            ((text, font),) = line
            cells = [sheet.cell(text, font=font or Font(), **centred)]
            _merge(sheet, number, 1, width)
        sheet.append(cells)
    return len(lines)


def _stream_signatures(sheet: SafeSheet, row: int, texts: dict[str, str], dated: str,
                       width: int) -> None:  # fmt: skip
    """The signature block of ``FormSheet.signatures``, from ``row`` down (after a blank)."""
    half = max(1, width // 2)
    sheet.append([])
    for number, (left, right, font) in enumerate(
        [(None, dated, None), (texts["preparer"], texts["head"], BOLD),
         (texts["sign"], texts["sign_stamp"], None)],
        start=row + 1,
    ):  # fmt: skip
        cells: list[Any] = [sheet.cell(left, font=font or Font(), alignment=CENTER)]
        cells += [None] * (half - 1)
        cells.append(sheet.cell(right, font=font or Font(), alignment=CENTER))
        sheet.append(cells)
        _merge(sheet, number, 1, half)
        _merge(sheet, number, half + 1, width)
