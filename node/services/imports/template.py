"""The import template's files: a CSV, or an XLSX with choices and a guide sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from node.services.imports.columns import AREA_WORDS, CLASS_WORDS, COLUMN_BY_KEY, COLUMNS
from shared import units
from shared.spreadsheets import csv_writer, xlsx_bytes


def template_example(province_code: str, period: int) -> list[str]:
    """The template's example row: the province's first rural commune (or its first), the
    period, the commune's area."""
    communes = units.communes(province_code)
    commune = next((c for c in communes if c.default_area == "rural"), communes[0])
    area = next(word for word, code in AREA_WORDS.items() if code == commune.default_area)
    values = {"commune": commune.code, "period": period, "area": area}
    return [column.example.format(**values) for column in COLUMNS]


def write_template(path: Path, province_code: str, period: int) -> None:
    """The import template at ``path``: CSV (UTF-8 with BOM, for Excel) or XLSX by suffix."""
    headers = [column.header for column in COLUMNS]
    example = template_example(province_code, period)
    if path.suffix.lower() == ".csv":
        # The BOM makes Excel read the file as UTF-8 (Vietnamese letters intact).
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv_writer(handle, lineterminator="\r\n")
            writer.writerow(headers)
            writer.writerow(example)
        return
    if path.suffix.lower() != ".xlsx":
        raise ValueError("the template is a .csv or an .xlsx file")
    _write_xlsx_template(path, headers, example, period)


def _write_xlsx_template(path: Path, headers: list[str], example: list[str], period: int) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách hộ"
    sheet.append(headers)
    sheet.append(example)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.required:
            cell.fill = required_fill
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(14, min(40, len(column.header) + 6))
        # Text, so Excel keeps the leading zeros of codes and ID numbers as typed.
        dimension.number_format = "@"
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    choices = {
        "classification": list(CLASS_WORDS.values()),
        "previous_classification": list(CLASS_WORDS.values()),
        "area": ["nông thôn", "thành thị"],
    }
    for key, words in choices.items():
        letter = get_column_letter(COLUMNS.index(COLUMN_BY_KEY[key]) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(words) + '"',
                                    allow_blank=not COLUMN_BY_KEY[key].required)  # fmt: skip
        validation.add(f"{letter}2:{letter}1048576")
        sheet.add_data_validation(validation)
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Bắt buộc", "Nội dung", "Giá trị hợp lệ", "Ví dụ"])
    for column, value in zip(COLUMNS, example, strict=True):
        guide.append(
            [column.header, "có" if column.required else "không", column.meaning, column.allowed,
             value]
        )  # fmt: skip
    guide.append([])
    guide.append([f"Mỗi hộ một dòng, dòng 1 là tiêu đề; chỉ trang đầu được đọc. Năm: {period}."])
    for cell in guide[1]:
        cell.font = bold
    for letter, width in zip("ABCDE", (30, 10, 40, 60, 30), strict=True):
        guide.column_dimensions[letter].width = width
    path.write_bytes(xlsx_bytes(workbook))
