"""Numbers as a Vietnamese reader reads them (issue 14 §2): decimal comma and thousands dot,
a fixed number of decimals per column, on the pages through one formatter; in the XLSX real
numbers in number formats, the header frozen, A4 landscape fitted to the width, and the issuing
agency in the top-left block."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from shared.numbers import format_number
from tests.node import test_aggregates
from tests.node.officials_helpers import sign_in

recognised = test_aggregates.recognised  # 00070: two poor, one near-poor of three households
signing_key_file = test_aggregates.signing_key_file
pytestmark = pytest.mark.usefixtures("fixed_clock", "signing_key_file")


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "text"),
    [
        (5.55, 2, "vi", "5,55"),
        (88.888, 2, "vi", "88,89"),
        (5.4, 2, "vi", "5,40"),  # always the column's decimals
        (100, 2, "vi", "100,00"),
        (1_234_567, 0, "vi", "1.234.567"),
        (1234.5, 2, "en", "1,234.50"),
        (None, 2, "vi", "–"),
        ("x", 0, "vi", "x"),
    ],
)
def test_the_one_formatter(value, decimals, lang, text):
    assert format_number(value, decimals, lang) == text


def _cells(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', body)


def test_the_report_page_shows_rates_with_a_comma_and_two_decimals(team, recognised):
    page = team.officer.get("/officials/reports?form=R1&period=2026").get_data(as_text=True)
    cells = _cells(page)

    assert "66,67" in cells  # the poor rate, 2 of 3
    assert "33,33" in cells
    assert "100,00" in cells  # the combined rate
    assert not [cell for cell in cells if re.fullmatch(r"\d+\.\d+", cell)]


def test_the_r1_xlsx_keeps_numbers_in_formats_and_prints_on_a4(team, recognised):
    book = load_workbook(
        io.BytesIO(team.officer.get("/officials/reports/R1.xlsx?period=2026").data)
    )
    sheet = book.active
    header = [cell.value for cell in sheet[7]]
    row = dict(zip(header, sheet[8], strict=True))

    assert (sheet["A1"].value, sheet["A2"].value) == ("ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀN KIẾM")
    assert sheet["A2"].font.b
    assert sheet["A3"].value == "Biểu R1"
    assert sheet["A6"].value.startswith("Căn cứ: Phụ lục VII")
    rate = row["Tỷ lệ hộ nghèo (%)"]
    assert (rate.value, rate.number_format) == (66.67, "#,##0.00")
    count = row["Số hộ nghèo"]
    assert (count.value, count.number_format) == (2, "#,##0")
    assert sheet.freeze_panes == "C8"
    assert sheet.print_title_rows == "$7:$7"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (int(sheet.page_setup.fitToWidth), int(sheet.page_setup.fitToHeight)) == (1, 0)


def test_the_province_r5_xlsx_names_the_department_and_freezes_its_header(
    app, make_user, db_session, recognised
):
    officer = sign_in(app, make_user, db_session, "province_officer")
    book = load_workbook(io.BytesIO(officer.get("/officials/reports/R5.xlsx?period=2026").data))
    sheet = book.active
    header = [cell.value for cell in sheet[7]]
    row = dict(zip(header, sheet[8], strict=False))

    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    assert sheet["A2"].value == "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    assert header[0] == "STT"
    assert (row["Số nhân khẩu"].value, row["Số nhân khẩu"].number_format) == (2, "#,##0")
    assert sheet.freeze_panes == "A8"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.page_setup.orientation == "landscape"
