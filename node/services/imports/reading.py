"""Reading the file (CSV or XLSX, streamed) and staging its rows, as text, in import_rows."""

from __future__ import annotations

import codecs
import csv
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import Connection, text

from node.services.identity import normalize_text
from node.services.imports.columns import COLUMN_BY_HEADER, COLUMN_BY_KEY, COLUMNS, MESSAGES
from node.services.imports.problems import Errors, ImportFailed, RowError, row_error

STAGE_BATCH = 5000  # rows per batch on their way into the staging table


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
    raise ImportFailed([row_error(None, None, MESSAGES["unknown_format"])], 1)


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
        raise ImportFailed([row_error(None, None, MESSAGES["empty_file"])], 1)
    # Excel writes ";" where the decimal separator is a comma (Vietnamese settings), else ",".
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], handle), delimiter=delimiter)
    headers = [normalize_text(cell) for cell in next(reader)]
    if careful and not _readable(headers):
        # Not UTF-8 (Excel's plain "CSV" is Windows-1258): no header can match; say why.
        handle.close()
        raise ImportFailed([row_error(1, None, MESSAGES["unreadable"])], 1)
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
            [row_error(None, None, MESSAGES["unreadable_xlsx"].format(reason=reason))], 1
        ) from None
    sheet = workbook.worksheets[0]
    # Some programs write a wrong sheet size; read every row there is instead.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None or all(cell is None for cell in first):
        workbook.close()
        raise ImportFailed([row_error(None, None, MESSAGES["empty_file"])], 1)
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


def header_errors(headers: list[str]) -> list[RowError]:
    """The problems of the header row: blank, unknown or repeated columns, missing ones."""
    errors = []
    seen: set[str] = set()
    for index, header in enumerate(headers, start=1):
        if not header:
            errors.append(row_error(1, None, MESSAGES["header_blank"].format(index=index)))
        elif header not in COLUMN_BY_HEADER:
            errors.append(row_error(1, None, MESSAGES["header_unknown"], header=header))
        elif header in seen:
            errors.append(row_error(1, COLUMN_BY_HEADER[header].key, MESSAGES["header_repeated"]))
        seen.add(header)
    for column in COLUMNS:
        if column.required and column.header not in seen:
            errors.append(
                row_error(1, None, MESSAGES["header_missing"].format(header=column.header))
            )
    return errors


def stage(
    connection: Connection, sheet: Sheet, errors: Errors, postgresql: bool
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


def _readable_rows(sheet: Sheet, width: int, errors: Errors) -> Iterator[tuple[Any, ...]]:
    for number, cells in sheet.rows:
        if len(cells) != width:
            if any(cell not in (None, "") for cell in cells[width:]):
                errors.add(row_error(number, None, MESSAGES["extra_cells"]))
                continue
            cells = cells[:width] + [None] * (width - len(cells))
        if not any(cells):
            continue
        if sheet.careful and not _readable(cells):
            errors.add(row_error(number, None, MESSAGES["unreadable"]))
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
