"""CSV and XLSX that cannot run formulas: every cell either app writes goes through here.

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a
tab or carriage return, the same) as a formula, so a village named ``=HYPERLINK(…)`` in a
report would read other cells and send them away. OWASP's rule for CSV: such a text gets a
leading apostrophe. In XLSX every text cell is written as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any, TextIO

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties

# openpyxl's paper size code for A4 (ECMA-376 ST_PaperSize 9).
PAPER_A4 = 9
# What makes a spreadsheet read a text as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """``value`` with an apostrophe in front when it is a text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, every text cell made safe."""
        self._writer.writerow([safe_text(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write each row."""
        for row in rows:
            self.writerow(row)


def csv_writer(out: TextIO, **options: Any) -> SafeCsvWriter:
    """The only CSV writer the apps use (``options`` as for ``csv.writer``)."""
    return SafeCsvWriter(out, **options)


def _text_not_formula(cell: Cell) -> Cell:
    """The cell as the text it was given, if openpyxl took it for a formula."""
    if cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_bytes(book: Workbook) -> bytes:
    """The workbook as XLSX bytes, every cell that openpyxl took for a formula kept as text.

    openpyxl stores a string that starts with ``=`` as a formula; the apps never write one, so
    any such cell is turned back into the text it was given.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                _text_not_formula(cell)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class XlsxStream:
    """A workbook in openpyxl's write-only mode, for lists too long to hold as cells: each row is
    written out as it is appended, every cell made safe as ``xlsx_bytes`` makes it (a text that
    openpyxl would take for a formula stays text)."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)

    def sheet(self, title: str) -> SafeSheet:
        """A new sheet; set its column widths and page setup before appending rows."""
        return SafeSheet(self.book.create_sheet(title))

    def write_to(self, out: IO[bytes]) -> None:
        """Write the workbook to ``out`` (a file: the rows went to temporary files meanwhile)."""
        self.book.save(out)


class SafeSheet:
    """A write-only sheet whose rows are neutralised cell by cell."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet

    def cell(self, value: Any, **style: Any) -> Cell:
        """A cell with a style (``font``, ``alignment``, ``border``…), to append in a row."""
        cell = WriteOnlyCell(self.sheet, value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def append(self, row: Iterable[Any]) -> None:
        """Write one row of values or cells, every text cell made safe."""
        self.sheet.append([self._safe(value) for value in row])

    def _safe(self, value: Any) -> Any:
        if isinstance(value, Cell):
            return _text_not_formula(value)
        if isinstance(value, str) and value.startswith("="):
            return _text_not_formula(WriteOnlyCell(self.sheet, value))
        return value


def print_layout(sheet: Any, header_row: int, *, frozen_columns: int = 0) -> None:
    """A report sheet as it is printed and read: A4 landscape, fitted to the page's width (as
    many pages down as it takes), the header row repeated on every page and frozen on screen
    with the rows above it (and ``frozen_columns`` at the left). Works on a write-only sheet
    too, before its first row."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
