"""R5 as an HTTP answer for the API and the pages: the named list streamed as it is read.

CSV and JSON go out in chunks from the first rows on (the browser's download shows them
arriving); the XLSX is written in openpyxl's write-only mode into a temporary file and then sent
with its length. The session stays open while the answer streams (``stream_with_context``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO

from flask import Response, stream_with_context
from sqlalchemy.orm import Session

from node.services.report_files import named_list_csv, named_list_json, named_list_xlsx
from node.services.reports import r5_heading, r5_rows_with_members

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": "text/csv", "json": "application/json", "xlsx": XLSX}


def r5_response(
    session: Session, province_code: str, period: int, unit: str, fmt: str, lang: str, today: date
) -> Response:
    """R5 of ``unit`` for ``period`` in ``fmt`` (csv, json or xlsx), streamed."""
    heading = r5_heading(province_code, period, unit)
    rows = r5_rows_with_members(session, province_code, period, unit)
    headers = {"Cache-Control": "no-store"}  # personal data
    if fmt != "json":
        headers["Content-Disposition"] = f'attachment; filename="R5-{unit}-{period}.{fmt}"'
    if fmt == "xlsx":
        out = named_list_xlsx(heading, rows, today, lang)
        headers["Content-Length"] = str(out.seek(0, 2))
        out.seek(0)
        return Response(_chunks(out), mimetype=XLSX, headers=headers)
    writer = named_list_csv if fmt == "csv" else named_list_json
    body = stream_with_context(writer(heading, rows, lang))
    return Response(body, mimetype=MIMETYPES[fmt], headers=headers)


def _chunks(out: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := out.read(256 * 1024):
            yield chunk
    finally:
        out.close()
