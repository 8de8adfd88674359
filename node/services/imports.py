"""Bulk import of an existing household list (XLSX or CSV), all or nothing (DESIGN §8).

A province starting on giamngheo already has its lists — poor, near-poor, average and non-poor
households recognised in earlier reviews — in spreadsheets. ``import_households`` loads one
period's list: every row is checked first and every problem reported with its row and column;
only a file without a single problem is written, in the caller's transaction.

How it stays fast at a million rows and has its rules in one place:

1. The file is read in Python (csv or openpyxl, streaming) and its rows go raw, as text, into a
   temporary table: with COPY on PostgreSQL, batched inserts on SQLite. Only what cannot be
   staged is checked here: the header, rows with cells beyond the header, unreadable bytes.
2. Columns with few distinct values (communes, villages, classes, years, indicator lists…) are
   checked once per distinct value by the Python functions below, and the answers joined back
   in SQL (``import_terms``). Columns with a value per household (name, ID number, phone,
   address) are normalised and checked in SQL, by the same SQLAlchemy expressions on both
   databases; the few primitives that differ (NFC, white space, phone, ID number) compile to
   SQL on PostgreSQL and call the node's own Python normalisers on SQLite.
3. Duplicates, in the file and against the node's households, are one GROUP BY and one join.
4. Without a problem, three INSERT … SELECT statements write the households, their statuses and
   the deprivations, as the chair's decision would (node.services.decisions).
"""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.schema import DropTable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from node.models.households import Household, HouseholdStatus, StatusDeprivation
from node.models.units import Village
from node.services import audit
from node.services.decisions import MAJORITY, ON_THE_LISTS
from node.services.identity import (
    NAME_MAX_LENGTH,
    normalize_citizen_id,
    normalize_phone,
    normalize_text,
)
from shared import units
from shared.standards import Standard, national_standards

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The template: columns, their meaning, the words they accept, the messages
# ---------------------------------------------------------------------------------------------

ADDRESS_MAX_LENGTH = 300  # households.address
ETHNICITY_MAX_LENGTH = 50  # household_members.ethnicity
MEMBERS_MAX = 50

# The glossary's words for the classes (GLOSSARY.md); the code names are accepted too.
CLASS_WORDS = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "average": "hộ có mức sống trung bình",
    "not_poor": "hộ không nghèo",
}
# "đô thị" is the 2027+ word for urban areas (GLOSSARY.md).
AREA_WORDS = {"nông thôn": "rural", "thành thị": "urban", "đô thị": "urban"}
INDICATOR_SEPARATOR = ";"
STAGE_BATCH = 5000  # rows per batch on their way into the staging table


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the import template."""

    key: str
    header: str
    required: bool
    meaning: str  # Vietnamese, for the guide sheet and docs/import-template.md
    allowed: str
    example: str
    # Checked once per distinct value in Python (few distinct values), else in SQL per row.
    per_value: bool = True


COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn("commune", "Mã xã", True, "Mã xã, phường, đặc khu nơi hộ cư trú",
                   "5 chữ số, một xã của tỉnh/thành phố này", "{commune}"),
    TemplateColumn("village", "Mã thôn", False, "Mã thôn, bản, tổ dân phố",
                   "mã thôn đã có trên hệ thống (dạng 00070-001), thuộc xã ở cột \"Mã xã\"; "
                   "để trống nếu chưa quản lý thôn", ""),
    TemplateColumn("head_name", "Họ và tên chủ hộ", True, "Họ và tên chủ hộ",
                   f"chữ, tối đa {NAME_MAX_LENGTH} ký tự, không có chữ số", "Nguyễn Văn An",
                   per_value=False),
    TemplateColumn("head_citizen_id", "Số định danh cá nhân chủ hộ", True,
                   "Số định danh cá nhân (số CCCD) của chủ hộ",
                   "12 chữ số; mỗi hộ một dòng, chưa có trên hệ thống", "001085012345",
                   per_value=False),
    TemplateColumn("phone", "Số điện thoại", False, "Số điện thoại liên hệ",
                   "10–11 chữ số, bắt đầu bằng 0 (hoặc +84)", "0912345678", per_value=False),
    TemplateColumn("address", "Địa chỉ", False, "Địa chỉ nơi cư trú",
                   f"tối đa {ADDRESS_MAX_LENGTH} ký tự", "Số 12, ngõ 3", per_value=False),
    TemplateColumn("ethnicity", "Dân tộc chủ hộ", False, "Dân tộc của chủ hộ",
                   "tên dân tộc; khác \"Kinh\" là hộ dân tộc thiểu số; để trống: không ghi nhận",
                   "Kinh"),
    TemplateColumn("area", "Khu vực", False, "Khu vực áp dụng chuẩn nghèo",
                   "nông thôn, thành thị (hoặc đô thị); để trống: theo thôn, nếu không theo xã",
                   "{area}"),
    TemplateColumn("period", "Năm", True, "Năm áp dụng danh sách (kỳ rà soát)",
                   "năm của lần nhập (mặc định năm hiện tại; chọn bằng --period)", "{period}"),
    TemplateColumn("classification", "Phân loại", True, "Kết quả phân loại hộ",
                   ", ".join(CLASS_WORDS.values()), "hộ nghèo"),
    TemplateColumn("members_count", "Số nhân khẩu", True, "Số nhân khẩu của hộ",
                   f"số nguyên từ 1 đến {MEMBERS_MAX}", "4"),
    TemplateColumn("deprivations", "Chỉ số thiếu hụt", False,
                   "Các chỉ số thiếu hụt dịch vụ xã hội cơ bản của hộ",
                   "mã hoặc tên chỉ số của chuẩn nghèo áp dụng cho năm đó, cách nhau bởi \";\"; "
                   "chỉ lưu cho hộ nghèo và hộ cận nghèo",
                   "Việc làm; Bảo hiểm y tế; Nhà tiêu hợp vệ sinh"),
    TemplateColumn("previous_classification", "Phân loại năm trước", False,
                   "Phân loại của hộ năm trước", "như cột \"Phân loại\"; để trống: chưa có trong "
                   "danh sách năm trước", "hộ cận nghèo"),
)  # fmt: skip
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
COLUMN_BY_HEADER = {column.header: column for column in COLUMNS}

MESSAGES = {
    "required": "bắt buộc, không được để trống",
    "commune_format": "phải là mã xã gồm 5 chữ số",
    "commune_unknown": "không có xã, phường, đặc khu nào mang mã này",
    "commune_elsewhere": "xã này thuộc {province}, không thuộc {ours}",
    "village_unknown": "không có thôn, tổ dân phố nào mang mã này (thêm thôn trước khi nhập)",
    "village_inactive": "thôn này đã ngừng hoạt động",
    "village_commune": 'thôn {village} thuộc xã {commune}, không thuộc xã ở cột "Mã xã"',
    "name_too_long": f"dài quá {NAME_MAX_LENGTH} ký tự",
    "name_digits": "không được chứa chữ số",
    "citizen_id_format": "phải gồm 12 chữ số",
    "citizen_id_repeated": "trùng với dòng {first}",
    "citizen_id_known": "đã có hộ với số định danh này trên hệ thống",
    "phone_format": "không phải số điện thoại hợp lệ (10 hoặc 11 chữ số, bắt đầu bằng 0)",
    "address_too_long": f"dài quá {ADDRESS_MAX_LENGTH} ký tự",
    "ethnicity_too_long": f"dài quá {ETHNICITY_MAX_LENGTH} ký tự",
    "area": 'phải là "nông thôn" hoặc "thành thị"',
    "period_format": "phải là năm gồm 4 chữ số",
    "period_other": "phải là {period}, năm của lần nhập này (dùng --period để nhập năm khác)",
    "classification": "phải là một trong: " + ", ".join(CLASS_WORDS.values()),
    "members_count": f"phải là số nguyên từ 1 đến {MEMBERS_MAX}",
    "indicator_unknown": 'không có chỉ số "{item}"',
    "indicator_standard": 'chỉ số "{item}" không thuộc chuẩn {standard} áp dụng cho năm {period}',
    "extra_cells": "có dữ liệu ở cột không có tiêu đề",
    "unreadable": "có ký tự không đọc được (lưu tệp dưới dạng CSV UTF-8)",
    "header_unknown": "không phải cột của mẫu (xem docs/import-template.md)",
    "header_repeated": "có hai cột cùng tên",
    "header_blank": "cột thứ {index} không có tên",
    "header_missing": 'thiếu cột "{header}"',
    "no_rows": "tệp không có dòng dữ liệu nào",
    "empty_file": "tệp trống (dòng 1 phải là dòng tiêu đề của mẫu)",
    "unreadable_xlsx": "không đọc được tệp XLSX ({reason})",
    "unknown_format": "chỉ nhận tệp .xlsx hoặc .csv",
}


# ---------------------------------------------------------------------------------------------
# Errors and results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """A problem in the file: its spreadsheet row (header = 1; None: the file), the column."""

    row: int | None
    position: int  # the column's place in the template, to order a row's errors
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"dòng {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f'cột "{self.column}"')
        return f"{', '.join(where)}: {self.message}" if where else self.message


def _error(row: int | None, key: str | None, message: str, header: str | None = None) -> RowError:
    column = COLUMN_BY_KEY[key] if key else None
    return RowError(
        row,
        COLUMNS.index(column) if column else -1,
        header if header is not None else (column.header if column else None),
        message,
    )


class ImportFailed(Exception):
    """The file has problems: nothing was written. ``errors`` are the first ones in row order,
    ``total`` counts them all."""

    def __init__(self, errors: Sequence[RowError], total: int) -> None:
        super().__init__(f"{total} problem(s) in the file")
        self.errors = list(errors)
        self.total = total


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    period: int
    standard_id: str
    households: int
    by_class: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


class _Errors:
    """The first ``limit`` problems (in row order once sorted) and how many there are."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: list[RowError] = []
        self.total = 0

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(error)

    def merged(self, later: Iterable[RowError]) -> list[RowError]:
        """The first ``limit`` of these and ``later`` (both in row order), in row order."""
        return list(itertools.islice(sorted(itertools.chain(self.kept, later)), self.limit))


# ---------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """The header and the data rows of a file, rows as (spreadsheet row, cells as text)."""

    kind: str  # "csv" or "xlsx"
    headers: list[str]
    rows: Iterator[tuple[int, list[str | None]]]
    # True when a CSV file has bytes that are not UTF-8 or NUL characters: rows are then
    # checked one by one (the database would refuse them and abort the whole load).
    careful: bool = False
    close: Callable[[], None] = lambda: None


def read_sheet(path: Path) -> Sheet:
    """The file as a Sheet; raises ImportFailed for a file that is not an XLSX or CSV table."""
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        magic = handle.read(4)
    if suffix in (".xlsx", ".xlsm") or (suffix not in (".csv", ".txt") and magic == b"PK\x03\x04"):
        return _xlsx_sheet(path)
    if suffix in (".csv", ".txt"):
        return _csv_sheet(path)
    raise ImportFailed([_error(None, None, MESSAGES["unknown_format"])], 1)


def _csv_sheet(path: Path) -> Sheet:
    careful = not _clean_utf8(path)
    # utf-8-sig drops the byte order mark Excel writes; surrogateescape keeps bad bytes as
    # lone surrogates, so the row holding them can be named (careful mode checks each row).
    handle = path.open(
        encoding="utf-8-sig", errors="surrogateescape" if careful else "strict", newline=""
    )
    first = handle.readline()
    if not first.strip():
        handle.close()
        raise ImportFailed([_error(None, None, MESSAGES["empty_file"])], 1)
    # Excel writes ";" where the decimal separator is a comma (Vietnamese settings), else ",".
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], handle), delimiter=delimiter)
    headers = [normalize_text(cell) for cell in next(reader)]
    if careful and not _readable(headers):
        # Not UTF-8 (Excel's plain "CSV" is Windows-1258): no header can match; say why.
        handle.close()
        raise ImportFailed([_error(1, None, MESSAGES["unreadable"])], 1)
    return Sheet("csv", headers, enumerate(reader, start=2), careful, handle.close)


def _clean_utf8(path: Path) -> bool:
    """Whether the file is valid UTF-8 without NUL characters (a fast pass over the bytes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _xlsx_sheet(path: Path) -> Sheet:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        reason = type(error).__name__
        raise ImportFailed(
            [_error(None, None, MESSAGES["unreadable_xlsx"].format(reason=reason))], 1
        ) from None
    sheet = workbook.worksheets[0]
    # Some programs write a wrong sheet size; read every row there is instead.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None or all(cell is None for cell in first):
        workbook.close()
        raise ImportFailed([_error(None, None, MESSAGES["empty_file"])], 1)
    headers = [normalize_text(_cell_text(cell) or "") for cell in first]
    while headers and not headers[-1]:
        headers.pop()
    data = ([_cell_text(cell) for cell in row] for row in rows)
    return Sheet("xlsx", headers, enumerate(data, start=2), close=workbook.close)


def _cell_text(value: object) -> str | None:
    """A cell as the text a CSV export would show: whole numbers without ".0" (a year, a count,
    an ID number typed as a number), dates as ISO dates."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _header_errors(headers: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for index, header in enumerate(headers, start=1):
        if not header:
            errors.append(_error(1, None, MESSAGES["header_blank"].format(index=index)))
        elif header not in COLUMN_BY_HEADER:
            errors.append(_error(1, None, MESSAGES["header_unknown"], header=header))
        elif header in seen:
            errors.append(_error(1, COLUMN_BY_HEADER[header].key, MESSAGES["header_repeated"]))
        seen.add(header)
    for column in COLUMNS:
        if column.required and column.header not in seen:
            errors.append(_error(1, None, MESSAGES["header_missing"].format(header=column.header)))
    return errors


# ---------------------------------------------------------------------------------------------
# Checking the values with few distinct values, once each (Python, both databases)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """What one distinct value of a column means: a value, or a problem."""

    value: str | None = None
    problem: str | None = None
    ref: int | None = None  # a village's id
    commune_code: str | None = None  # a village's commune
    area: str | None = None  # a commune's or a village's own area
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Plan:
    """What the checks of one import need to know."""

    province_code: str
    period: int
    standard: Standard
    villages: dict[str, tuple[int, str, str | None, bool]]  # code → id, commune, area, active
    # Indicator codes and Vietnamese names (casefolded) → code: the period's standard's, and
    # every national standard's (to say that "waste" is of another standard, not unknown).
    indicators: dict[str, str] = field(default_factory=dict)
    any_indicators: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        province_code: str,
        period: int,
        standard: Standard,
        villages: dict[str, tuple[int, str, str | None, bool]],
    ) -> _Plan:
        """The plan, with the indicator names looked up once."""
        others = {}
        for national in national_standards():
            others.update(_indicator_names(national))
        return cls(province_code, period, standard, villages, _indicator_names(standard), others)


def _key(value: str) -> str:
    return normalize_text(value).casefold()


def _words(mapping: dict[str, str]) -> dict[str, str]:
    return {_key(word): code for word, code in mapping.items()}


_CLASSES = {
    **_words({word: code for code, word in CLASS_WORDS.items()}),
    **{c: c for c in CLASS_WORDS},
}
_AREAS = {**_words(AREA_WORDS), "rural": "rural", "urban": "urban"}
_COMMUNE_CODE = re.compile(r"[0-9]{5}")
_YEAR = re.compile(r"[0-9]{4}")
_COUNT = re.compile(r"[0-9]{1,3}")


def _parse_commune(plan: _Plan, value: str) -> Term:
    code = value.strip()
    if not _COMMUNE_CODE.fullmatch(code):
        return Term(problem=MESSAGES["commune_format"])
    if not units.is_commune_code(code):
        return Term(problem=MESSAGES["commune_unknown"])
    commune = units.commune(code)
    if commune.province_code != plan.province_code:
        return Term(
            problem=MESSAGES["commune_elsewhere"].format(
                province=units.province(commune.province_code).name,
                ours=units.province(plan.province_code).name,
            )
        )
    return Term(value=code, area=commune.default_area)


def _parse_village(plan: _Plan, value: str) -> Term:
    code = value.strip()
    village = plan.villages.get(code)
    if village is None:
        return Term(problem=MESSAGES["village_unknown"])
    village_id, commune_code, area, active = village
    if not active:
        return Term(problem=MESSAGES["village_inactive"])
    return Term(value=code, ref=village_id, commune_code=commune_code, area=area)


def _parse_ethnicity(_plan: _Plan, value: str) -> Term:
    name = normalize_text(value)
    if len(name) > ETHNICITY_MAX_LENGTH:
        return Term(problem=MESSAGES["ethnicity_too_long"])
    # As the decision does (node.services.decisions): a head of a minority makes the household
    # an ethnic-minority one; an empty cell records nothing.
    return Term(value="1" if name and name.casefold() not in MAJORITY else "0")


def _parse_area(_plan: _Plan, value: str) -> Term:
    area = _AREAS.get(_key(value))
    return Term(value=area) if area else Term(problem=MESSAGES["area"])


def _parse_period(plan: _Plan, value: str) -> Term:
    year = value.strip()
    if not _YEAR.fullmatch(year):
        return Term(problem=MESSAGES["period_format"])
    if int(year) != plan.period:
        return Term(problem=MESSAGES["period_other"].format(period=plan.period))
    return Term(value=year)


def _parse_classification(_plan: _Plan, value: str) -> Term:
    code = _CLASSES.get(_key(value))
    return Term(value=code) if code else Term(problem=MESSAGES["classification"])


def _parse_members_count(_plan: _Plan, value: str) -> Term:
    number = value.strip()
    if not _COUNT.fullmatch(number) or not 1 <= int(number) <= MEMBERS_MAX:
        return Term(problem=MESSAGES["members_count"])
    return Term(value=str(int(number)))


def _indicator_names(standard: Standard) -> dict[str, str]:
    names = {}
    for indicator in standard.indicators:
        names[_key(indicator.code)] = indicator.code
        names[_key(indicator.name["vi"])] = indicator.code
    return names


def _parse_deprivations(plan: _Plan, value: str) -> Term:
    codes: list[str] = []
    problems: list[str] = []
    for item in (normalize_text(part) for part in value.split(INDICATOR_SEPARATOR)):
        if not item:
            continue
        code = plan.indicators.get(item.casefold())
        if code is not None:
            if code not in codes:
                codes.append(code)
        elif item.casefold() in plan.any_indicators:
            problems.append(
                MESSAGES["indicator_standard"].format(
                    item=item, standard=plan.standard.id, period=plan.period
                )
            )
        else:
            problems.append(MESSAGES["indicator_unknown"].format(item=item))
    if problems:
        return Term(problem="; ".join(problems))
    # Legal order, as the engine lists them (RULES §3).
    order = [indicator.code for indicator in plan.standard.indicators]
    return Term(value="", indicators=tuple(sorted(codes, key=order.index)))


PARSERS: dict[str, Callable[[_Plan, str], Term]] = {
    "commune": _parse_commune,
    "village": _parse_village,
    "ethnicity": _parse_ethnicity,
    "area": _parse_area,
    "period": _parse_period,
    "classification": _parse_classification,
    "members_count": _parse_members_count,
    "deprivations": _parse_deprivations,
    "previous_classification": _parse_classification,
}


def parse_term(plan: _Plan, key: str, value: str) -> Term:
    """What a cell means: blank is "nothing" (a problem if the column is required)."""
    if not value.strip():
        return Term(problem=MESSAGES["required"] if COLUMN_BY_KEY[key].required else None)
    return PARSERS[key](plan, value)


# ---------------------------------------------------------------------------------------------
# Normalising the values of one household each (SQL on both databases)
# ---------------------------------------------------------------------------------------------

# Every character Python's str.split() splits on, which normalize_text collapses: PostgreSQL
# collapses exactly the same ones (SQLite calls normalize_text itself).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PG_SPACES = "".join(f"\\u{ord(ch):04x}" for ch in WHITESPACE)
_PG_SPACE = f"[{_PG_SPACES}]"
_PG_OTHER_SPACE = "[" + "".join(f"\\u{ord(ch):04x}" for ch in WHITESPACE if ch != " ") + "]"
# What normalize_phone strips (node.services.identity._PHONE_SEPARATORS).
_PG_PHONE_SEPARATORS = f"[{_PG_SPACES}.()-]"
DIGIT_PATTERN = "[0-9]"


def _sql_string(value: str) -> str:
    """A constant of this module as an SQL string literal (standard_conforming_strings)."""
    return "'" + value.replace("'", "''") + "'"


class clean_text(FunctionElement):  # noqa: N801 - an SQL function, named as one
    """normalize_text in SQL: NFC, runs of white space as one space, trimmed; blank → NULL."""

    type = Text()
    inherit_cache = True


class clean_citizen_id(FunctionElement):  # noqa: N801
    """normalize_citizen_id in SQL: the 12 digits; blank → NULL; anything else → ''."""

    type = Text()
    inherit_cache = True


class clean_phone(FunctionElement):  # noqa: N801
    """normalize_phone in SQL: 0xxxxxxxxx; blank → NULL; not a phone number → ''."""

    type = Text()
    inherit_cache = True


def _argument(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses.clauses
    return compiler.process(argument, **kw)


@compiles(clean_text, "postgresql")
def _clean_text_postgresql(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    x = _argument(element, compiler, **kw)
    # Most names are NFC already and singly spaced: the cheap tests spare them the rewrite
    # (normalize() and regexp_replace() cost about a second each per million rows).
    odd = _sql_string(f"^ | $|  |{_PG_OTHER_SPACE}")
    full = (
        f"NULLIF(BTRIM(REGEXP_REPLACE(NORMALIZE({x}, NFC), {_sql_string(_PG_SPACE + '+')}, ' ', "
        "'g')), '')"
    )
    return (
        f"(CASE WHEN {x} IS NFC NORMALIZED AND {x} !~ {odd} THEN NULLIF({x}, '') ELSE {full} END)"
    )


def _digits(x: str, low: int, high: int | None = None) -> str:
    """SQL: ``x`` is ``low`` (to ``high``) ASCII digits. A length test and a negated class cost
    a quarter of the counted regular expression ^[0-9]{12}$ in PostgreSQL."""
    length = f"LENGTH({x}) = {low}" if high is None else f"LENGTH({x}) BETWEEN {low} AND {high}"
    return f"({length} AND {x} !~ '[^0-9]')"


@compiles(clean_citizen_id, "postgresql")
def _clean_citizen_id_postgresql(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    x = _argument(element, compiler, **kw)
    # The rare number typed with spaces is rewritten in a subquery, so the rewrite is written
    # (and computed) once.
    stripped = f"REGEXP_REPLACE({x}, {_sql_string(_PG_SPACE + '+')}, '', 'g')"
    return (
        # Only this module's constants and the compiled column go into the SQL.
        f"(CASE WHEN {x} IS NULL THEN NULL WHEN {_digits(x, 12)} THEN {x} ELSE (SELECT CASE "  # noqa: S608
        f"WHEN b = '' THEN NULL WHEN {_digits('b', 12)} THEN b ELSE '' END FROM (SELECT "
        f"{stripped} AS b) AS bare) END)"
    )


@compiles(clean_phone, "postgresql")
def _clean_phone_postgresql(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    x = _argument(element, compiler, **kw)
    stripped = f"REGEXP_REPLACE({x}, {_sql_string(_PG_PHONE_SEPARATORS)}, '', 'g')"
    # +84 and 84 (11 digits) are the country code in place of the leading 0, as in
    # normalize_phone.
    local = (
        "CASE WHEN LEFT(b, 3) = '+84' THEN '0' || SUBSTR(b, 4) "
        "WHEN LEFT(b, 2) = '84' AND LENGTH(b) = 11 THEN '0' || SUBSTR(b, 3) ELSE b END"
    )

    def phone(y: str) -> str:
        return f"(LEFT({y}, 1) = '0' AND {_digits(y, 10, 11)})"

    return (
        f"(CASE WHEN {x} IS NULL THEN NULL WHEN {phone(x)} THEN {x} ELSE (SELECT CASE "  # noqa: S608
        f"WHEN b = '' THEN NULL WHEN {phone('l')} THEN l ELSE '' END FROM (SELECT b, {local} "
        f"AS l FROM (SELECT {stripped} AS b) AS bare) AS local) END)"
    )


def _sqlite_clean_text(value: str | None) -> str | None:
    return (normalize_text(value) or None) if value is not None else None


def _sqlite_clean_citizen_id(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    number = normalize_citizen_id(value)
    # normalize_citizen_id's \d also takes other scripts' digits; the column holds 0-9.
    return number if number and number.isascii() else ""


def _sqlite_clean_phone(value: str | None) -> str | None:
    if value is None or not "".join(re.split(r"[\s.()\-]", value)):
        return None
    phone = normalize_phone(value)
    return phone if phone and phone.isascii() else ""


SQLITE_FUNCTIONS: dict[type[FunctionElement], tuple[str, Callable[[str | None], str | None]]] = {
    clean_text: ("giamngheo_clean_text", _sqlite_clean_text),
    clean_citizen_id: ("giamngheo_clean_citizen_id", _sqlite_clean_citizen_id),
    clean_phone: ("giamngheo_clean_phone", _sqlite_clean_phone),
}


def _compile_sqlite(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    name, _function = SQLITE_FUNCTIONS[type(element)]
    return f"{name}({_argument(element, compiler, **kw)})"


for _element in SQLITE_FUNCTIONS:
    compiles(_element, "sqlite")(_compile_sqlite)


# ---------------------------------------------------------------------------------------------
# The temporary tables
# ---------------------------------------------------------------------------------------------

_TEMPORARY = MetaData()
ROWS = Table(
    "import_rows",
    _TEMPORARY,
    Column("rn", Integer, nullable=False),
    *(Column(column.key, Text) for column in COLUMNS),
    prefixes=["TEMPORARY"],
)
TERMS = Table(
    "import_terms",
    _TEMPORARY,
    Column("kind", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("value", Text),
    Column("ref", Integer),
    Column("commune_code", Text),
    Column("area", Text),
    Column("problem", Text),
    prefixes=["TEMPORARY"],
)
INDICATORS = Table(
    "import_indicators",
    _TEMPORARY,
    Column("raw", Text, nullable=False),
    Column("indicator", Text, nullable=False),
    Column("position", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
_PER_VALUE = [column.key for column in COLUMNS if column.per_value]
CHECKED = Table(
    "import_checked",
    _TEMPORARY,
    Column("rn", Integer, nullable=False),
    *(Column(key, Text) for key in _PER_VALUE),
    *(Column(f"{key}_problem", Text) for key in _PER_VALUE),
    Column("commune_area", Text),
    Column("village_id", Integer),
    Column("village_commune", Text),
    Column("area_final", Text),
    Column("head_name", Text),
    Column("head_citizen_id", Text),
    Column("phone", Text),
    Column("address", Text),
    prefixes=["TEMPORARY"],
)
TEMPORARY_TABLES = (ROWS, TERMS, INDICATORS, CHECKED)


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


def import_households(
    session: Session,
    path: Path,
    *,
    province_code: str,
    period: int,
    standard: Standard,
    today: date,
    now: datetime,
    max_errors: int = 200,
) -> ImportResult:
    """Import the households of ``path`` with their status for ``period``, all or nothing.

    Raises ImportFailed, having written nothing, if the file has any problem. Flushes, never
    commits. On PostgreSQL the households table is locked against other writers (SHARE ROW
    EXCLUSIVE) until the caller's transaction ends, so no household with the same ID number can
    appear between the check and the insert.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = time.perf_counter() - started - sum(timings.values())

    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    sheet = read_sheet(path)
    try:
        header_errors = _header_errors(sheet.headers)
        if header_errors:
            raise ImportFailed(header_errors[:max_errors], len(header_errors))
        _create_temporary_tables(connection)
        errors = _Errors(max_errors)
        staged, distinct = _stage(connection, sheet, errors, postgresql)
    finally:
        sheet.close()
    lap("read and stage")
    if not staged and not errors.total:
        _drop_temporary_tables(connection)
        raise ImportFailed([_error(None, None, MESSAGES["no_rows"])], 1)
    if postgresql:
        # Who else could add a household with one of these ID numbers now waits for this
        # transaction; readers (reports, the portal) do not.
        connection.execute(text("LOCK TABLE households IN SHARE ROW EXCLUSIVE MODE"))
        # Hash the big GROUP BY and joins in memory rather than on disk, and skip JIT: it
        # spends half a second compiling each of these run-once statements (this transaction
        # only).
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
        connection.execute(text("SET LOCAL jit = off"))
    villages = _villages(session, distinct.get("village", set()))
    plan = _Plan.of(province_code, period, standard, villages)
    _store_terms(connection, plan, distinct)
    lap("check distinct values")
    _check_rows(connection, postgresql)
    lap("normalise rows")
    row_errors = list(_row_errors(connection, errors))
    lap("find problems")
    if errors.total:
        _drop_temporary_tables(connection)
        raise ImportFailed(errors.merged(row_errors), errors.total)
    by_class = _write(connection, plan, today, now, postgresql, timings, started)
    households = sum(by_class.values())
    audit.record(
        session,
        None,
        "import_households",
        "household_list",
        None,
        now,
        role="system",
        details={"period": period, "households": households, "by_class": by_class,
                 "format": sheet.kind},
    )  # fmt: skip
    _drop_temporary_tables(connection)
    lap("audit")
    logger.info(
        "imported %d households for %d (%s); %s",
        households,
        period,
        sheet.kind,
        ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()),
    )
    return ImportResult(period, standard.id, households, by_class, timings)


def register_sql_functions(connection: Connection) -> None:
    """Make clean_text, clean_citizen_id and clean_phone callable on this connection (SQLite:
    the Python normalisers; PostgreSQL compiles them to SQL and needs nothing)."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        for name, function in SQLITE_FUNCTIONS.values():
            driver.create_function(name, 1, function, deterministic=True)


def _create_temporary_tables(connection: Connection) -> None:
    _drop_temporary_tables(connection)
    for table in TEMPORARY_TABLES:
        table.create(connection)
    register_sql_functions(connection)


def _drop_temporary_tables(connection: Connection) -> None:
    for table in TEMPORARY_TABLES:
        connection.execute(DropTable(table, if_exists=True))


def _stage(
    connection: Connection, sheet: Sheet, errors: _Errors, postgresql: bool
) -> tuple[int, dict[str, set[str]]]:
    """Put the rows, as text, into import_rows; returns how many, and the distinct values of
    each per-value column. Rows that cannot be read (cells beyond the header, bad bytes) become
    errors instead; blank rows are skipped."""
    keys = [COLUMN_BY_HEADER[header].key for header in sheet.headers]
    names = ", ".join(["rn", *keys])
    rows = _readable_rows(sheet, len(keys), errors)
    distinct: dict[str, set[str | None]] = {
        key: set() for key in keys if COLUMN_BY_KEY[key].per_value
    }
    # Collected here, a batch at a time in C (map over itemgetter), rather than by one SELECT
    # DISTINCT per column afterwards: a tenth of the time on a million rows.
    getters = [
        (itemgetter(position), distinct[key])
        for position, key in enumerate(keys, start=1)
        if key in distinct
    ]
    count = 0
    if postgresql:
        driver = connection.connection.driver_connection
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY import_rows ({names}) FROM STDIN") as copy,
        ):
            while batch := list(itertools.islice(rows, STAGE_BATCH)):
                for row in batch:
                    copy.write_row(row)
                for get, seen in getters:
                    seen.update(map(get, batch))
                count += len(batch)
        connection.execute(text("ANALYZE import_rows"))
    else:
        # The column names are the template's keys, never text from the file.
        statement = f"INSERT INTO import_rows ({names}) VALUES ({', '.join('?' * (len(keys) + 1))})"  # noqa: S608
        while batch := list(itertools.islice(rows, STAGE_BATCH)):
            connection.exec_driver_sql(statement, batch)
            for get, seen in getters:
                seen.update(map(get, batch))
            count += len(batch)
    # None: a blank cell, which has no term (the checks treat NULL as blank).
    return count, {
        key: {value for value in seen if value is not None} for key, seen in distinct.items()
    }


def _readable_rows(sheet: Sheet, width: int, errors: _Errors) -> Iterator[tuple[Any, ...]]:
    for number, cells in sheet.rows:
        if len(cells) != width:
            if any(cell not in (None, "") for cell in cells[width:]):
                errors.add(_error(number, None, MESSAGES["extra_cells"]))
                continue
            cells = cells[:width] + [None] * (width - len(cells))
        if not any(cells):
            continue
        if sheet.careful and not _readable(cells):
            errors.add(_error(number, None, MESSAGES["unreadable"]))
            continue
        yield (number, *cells)


def _readable(cells: list[str | None]) -> bool:
    joined = "".join(cell for cell in cells if cell)
    if "\x00" in joined:
        return False
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: a byte that was not UTF-8
        return False
    return True


def _villages(session: Session, named: set[str]) -> dict[str, tuple[int, str, str | None, bool]]:
    """The villages the file names, by code: id, commune, own area, active."""
    codes = sorted({code.strip() for code in named})
    found = {}
    for start in range(0, len(codes), 1000):  # bounded IN lists
        rows = session.execute(
            select(
                Village.code, Village.id, Village.commune_code, Village.area, Village.active
            ).where(Village.code.in_(codes[start : start + 1000]))
        )
        for code, village_id, commune, area, active in rows:
            found[code] = (village_id, commune, area, active)
    return found


def _store_terms(connection: Connection, plan: _Plan, distinct: dict[str, set[str]]) -> None:
    """Check each distinct value of the per-value columns once; store the answers."""
    terms: list[tuple[Any, ...]] = []
    indicators: list[tuple[Any, ...]] = []
    for key, values in distinct.items():
        for value in values:
            term = parse_term(plan, key, value)
            terms.append(
                (key, value, term.value, term.ref, term.commune_code, term.area, term.problem)
            )
            indicators += [(value, code, position) for position, code in enumerate(term.indicators)]
    _bulk_insert(connection, TERMS, terms)
    _bulk_insert(connection, INDICATORS, indicators)
    if connection.dialect.name == "postgresql":
        connection.execute(text("ANALYZE import_terms, import_indicators"))


def _bulk_insert(connection: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Rows into one of the temporary tables, in the order of its columns: COPY on PostgreSQL
    (a list of indicators has tens of thousands of distinct values; executemany sends each
    alone), executemany on SQLite (in-process, already fast)."""
    names = ", ".join(column.name for column in table.columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    elif rows:
        marks = ", ".join("?" * len(table.columns))
        # Names of this module's tables and columns only.
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _check_rows(connection: Connection, postgresql: bool) -> None:
    """import_checked: each row's values normalised, with the problems of its per-value cells."""
    joined = ROWS
    terms = {}
    for key in _PER_VALUE:
        terms[key] = TERMS.alias(f"t_{key}")
        joined = joined.outerjoin(
            terms[key], and_(terms[key].c.kind == key, terms[key].c.raw == ROWS.c[key])
        )
    required = literal(MESSAGES["required"], Text)
    columns: dict[str, ColumnElement[Any]] = {"rn": ROWS.c.rn}
    for key in _PER_VALUE:
        columns[key] = terms[key].c.value
        # A NULL cell has no term: it is blank, a problem only where the column is required.
        columns[f"{key}_problem"] = (
            case((ROWS.c[key].is_(None), required), else_=terms[key].c.problem)
            if COLUMN_BY_KEY[key].required
            else terms[key].c.problem
        )
    columns["deprivations"] = ROWS.c.deprivations  # the key of import_indicators
    columns["commune_area"] = terms["commune"].c.area
    columns["village_id"] = terms["village"].c.ref
    columns["village_commune"] = terms["village"].c.commune_code
    columns["area_final"] = func.coalesce(
        terms["area"].c.value, terms["village"].c.area, terms["commune"].c.area
    )
    columns["head_name"] = clean_text(ROWS.c.head_name)
    columns["head_citizen_id"] = clean_citizen_id(ROWS.c.head_citizen_id)
    columns["phone"] = clean_phone(ROWS.c.phone)
    columns["address"] = clean_text(ROWS.c.address)
    query = select(*(expression.label(name) for name, expression in columns.items())).select_from(
        joined
    )
    connection.execute(insert(CHECKED).from_select(list(columns), query))
    if postgresql:
        connection.execute(text("ANALYZE import_checked"))


def _row_problems() -> dict[str, ColumnElement[Any]]:
    """The per-row checks, as SQL giving a message key (or NULL) for each column."""
    c = CHECKED.c
    return {
        "head_name": case(
            (c.head_name.is_(None), "required"),
            (func.char_length(c.head_name) > NAME_MAX_LENGTH, "name_too_long"),
            (c.head_name.regexp_match(DIGIT_PATTERN), "name_digits"),
        ),
        "head_citizen_id": case(
            (c.head_citizen_id.is_(None), "required"),
            (c.head_citizen_id == "", "citizen_id_format"),
        ),
        "phone": case((c.phone == "", "phone_format")),
        "address": case((func.char_length(c.address) > ADDRESS_MAX_LENGTH, "address_too_long")),
    }


def _row_errors(connection: Connection, errors: _Errors) -> Iterator[RowError]:
    """Every problem of the staged rows, in row order; counted into ``errors``."""
    c = CHECKED.c
    ids = c.head_citizen_id
    repeated = (
        select(ids.label("id"), func.min(c.rn).label("first"))
        .where(ids != "")
        .group_by(ids)
        .having(func.count() > 1)
        .subquery()
    )
    known = (
        select(Household.head_citizen_id.label("id"))
        .where(Household.head_citizen_id.in_(select(ids).where(ids != "")))
        .distinct()
        .subquery()
    )
    row_problems = _row_problems()
    per_value = {key: c[f"{key}_problem"] for key in _PER_VALUE}
    other_commune = and_(
        c.village_commune.is_not(None), c.commune.is_not(None), c.village_commune != c.commune
    )
    query = (
        select(
            c.rn,
            c.commune,
            c.village,
            c.village_commune,
            other_commune.label("other_commune"),
            repeated.c.first,
            known.c.id.is_not(None).label("known"),
            *(problem.label(f"p_{key}") for key, problem in per_value.items()),
            *(problem.label(f"q_{key}") for key, problem in row_problems.items()),
        )
        .select_from(
            CHECKED.outerjoin(
                repeated, and_(repeated.c.id == ids, c.rn > repeated.c.first)
            ).outerjoin(known, known.c.id == ids)
        )
        .where(
            or_(
                *(problem.is_not(None) for problem in per_value.values()),
                *(problem.is_not(None) for problem in row_problems.values()),
                other_commune,
                repeated.c.first.is_not(None),
                known.c.id.is_not(None),
            )
        )
        .order_by(c.rn)
    )
    kept = 0
    for row in connection.execute(query).mappings():
        found: list[RowError] = []
        for key in _PER_VALUE:
            if row[f"p_{key}"] is not None:
                found.append(_error(row["rn"], key, row[f"p_{key}"]))
        for key in row_problems:
            if row[f"q_{key}"] is not None:
                found.append(_error(row["rn"], key, MESSAGES[row[f"q_{key}"]]))
        if row["other_commune"]:
            message = MESSAGES["village_commune"].format(
                village=row["village"], commune=row["village_commune"]
            )
            found.append(_error(row["rn"], "village", message))
        if row["first"] is not None:
            message = MESSAGES["citizen_id_repeated"].format(first=row["first"])
            found.append(_error(row["rn"], "head_citizen_id", message))
        elif row["known"]:
            found.append(_error(row["rn"], "head_citizen_id", MESSAGES["citizen_id_known"]))
        errors.total += len(found)
        # Rows come in order: past the limit, only the count still matters.
        if kept < errors.limit:
            found.sort()
            kept += len(found)
            yield from found


def _reserve_ids(connection: Connection, table: Table, count: int, postgresql: bool) -> int:
    """The first of ``count`` consecutive ids no one else will use."""
    highest = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    if not postgresql:
        return highest + 1
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
    ).scalar_one()
    # Past the sequence and past any id written without it (a COPY with explicit ids).
    first = max(
        connection.execute(
            text("SELECT nextval(CAST(:sequence AS regclass))"), {"sequence": sequence}
        ).scalar_one(),
        highest + 1,
    )
    connection.execute(
        text("SELECT setval(CAST(:sequence AS regclass), :last)"),
        {"sequence": sequence, "last": first + count - 1},
    )
    return first


def _write(
    connection: Connection,
    plan: _Plan,
    today: date,
    now: datetime,
    postgresql: bool,
    timings: dict[str, float],
    started: float,
) -> dict[str, int]:
    """The households, their statuses and deprivations, as the decision would write them."""

    def lap(name: str) -> None:
        timings[name] = time.perf_counter() - started - sum(timings.values())

    c = CHECKED.c
    low, high = connection.execute(select(func.min(c.rn), func.max(c.rn))).one()
    span = high - low + 1
    # Ids follow the rows (gaps where blank rows were), so each table is written in one pass
    # without looking the households up again.
    household_id = c.rn + (_reserve_ids(connection, Household.__table__, span, postgresql) - low)
    status_id = c.rn + (_reserve_ids(connection, HouseholdStatus.__table__, span, postgresql) - low)
    minority = func.coalesce(c.ethnicity, "0") == "1"
    households = {
        "id": household_id,
        "commune_code": c.commune,
        "village_id": c.village_id,
        "area": c.area_final,
        "head_name": c.head_name,
        "head_citizen_id": c.head_citizen_id,
        "address": c.address,
        "phone": c.phone,
        "ethnic_minority": minority,
        "created_at": literal(now),
        "updated_at": literal(now),
    }
    connection.execute(
        insert(Household.__table__).from_select(
            list(households), select(*(value.label(name) for name, value in households.items()))
        )
    )
    lap("write households")
    statuses = {
        "id": status_id,
        "household_id": household_id,
        "period": literal(plan.period),
        "commune_code": c.commune,
        "classification": c.classification,
        "standard_id": literal(plan.standard.id),
        "area": c.area_final,
        "ethnic_minority": minority,
        "previous_classification": c.previous_classification,
        # Tái nghèo needs the history before the previous period, which a list does not carry:
        # an imported poor household that was not poor last year counts as newly poor.
        "fell_back": literal(False),
        "members_count": cast(c.members_count, Integer),
        "decided_on": literal(today),
    }
    connection.execute(
        insert(HouseholdStatus.__table__).from_select(
            list(statuses), select(*(value.label(name) for name, value in statuses.items()))
        )
    )
    lap("write statuses")
    i = INDICATORS.c
    deprivations = (
        select(
            status_id.label("status_id"),
            i.indicator,
            literal(plan.period).label("period"),
            c.commune,
        )
        .select_from(CHECKED.join(INDICATORS, i.raw == c.deprivations))
        # Only households on the lists are counted by indicator, as after a decision.
        .where(c.classification.in_(ON_THE_LISTS))
        .order_by(c.rn, i.position)
    )
    connection.execute(
        insert(StatusDeprivation.__table__).from_select(
            ["status_id", "indicator", "period", "commune_code"], deprivations
        )
    )
    lap("write deprivations")
    counts = dict.fromkeys(CLASS_WORDS, 0)
    counts.update(
        connection.execute(select(c.classification, func.count()).group_by(c.classification)).all()
    )
    return counts


# ---------------------------------------------------------------------------------------------
# The template files
# ---------------------------------------------------------------------------------------------


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
            writer = csv.writer(handle, lineterminator="\r\n")
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
    workbook.save(path)
