"""A dashboard Table as a CSV or XLSX download; numbers stay numbers, rates keep 2 decimals."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hub.web.tables import COUNT, DAY, MOMENT, RATE, Table, cell_kind
from shared.moments import VIETNAM, as_utc, vietnam_text
from shared.numbers import XLSX_FORMATS
from shared.spreadsheets import csv_writer, print_layout, xlsx_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# The row of the column headings in an XLSX export; the data starts under it.
HEADER_ROW = 4
# Moments in Vietnam's time, in the one format of the pages: 05/12/2026 00:42.
NUMBER_FORMATS = {
    RATE: XLSX_FORMATS["rate"],
    COUNT: XLSX_FORMATS["count"],
    MOMENT: "dd/mm/yyyy hh:mm",
    DAY: "dd/mm/yyyy",
}


def export(table: Table, fmt: str, *, generated_at: datetime) -> Response:
    """The table as a download in ``fmt`` (csv or xlsx)."""
    if fmt == "csv":
        body, mimetype = to_csv(table), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_xlsx(table, generated_at=generated_at), XLSX_TYPE
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _value(table: Table, row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    column = next(column for column in table.columns if column.key == key)
    kind = cell_kind(column, row)
    if value is None:
        return None
    if kind == MOMENT and isinstance(value, datetime):
        return as_utc(value).astimezone(VIETNAM).replace(tzinfo=None)
    if kind == DAY:
        return value
    if kind in (COUNT, RATE):
        return value
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese right."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([str(column.label) for column in table.columns])
    for row in table.rows:
        values = []
        for column in table.columns:
            raw = row.get(column.key)
            if cell_kind(column, row) in (MOMENT, DAY) and isinstance(raw, date):
                value = vietnam_text(raw)
            else:
                value = _value(table, row, column.key)
            values.append("" if value is None else value)
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, *, generated_at: datetime) -> bytes:
    """One sheet: title, what and when, a blank line, the headings (row 4), the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.name[:31]
    sheet.cell(row=1, column=1, value=str(table.title)).font = Font(bold=True, size=14)
    produced = _("Produced %(moment)s", moment=vietnam_text(generated_at))
    sheet.cell(row=2, column=1, value=" · ".join(p for p in (table.subtitle, produced) if p))
    for index, column in enumerate(table.columns, start=1):
        sheet.cell(row=HEADER_ROW, column=index, value=str(column.label)).font = Font(bold=True)
        width = 12 if column.kind in (COUNT, RATE) else 28
        sheet.column_dimensions[get_column_letter(index)].width = width
    for offset, row in enumerate(table.rows, start=1):
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(
                row=HEADER_ROW + offset, column=index, value=_value(table, row, column.key)
            )
            cell.number_format = NUMBER_FORMATS.get(cell_kind(column, row), "General")
    print_layout(sheet, HEADER_ROW)
    return xlsx_bytes(workbook)
