"""The hub's exports keep a hostile text as text: a node's last error (which a node's answer can
put words into) written as a formula, in the freshness board's CSV and XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.test_spreadsheet_formulas import HOSTILE


def test_the_freshness_export_keeps_a_formula_error_as_text(
    client, db_session, signed_in, nodes, register
):
    node = register(nodes["12"])
    node.last_outcome = "error"
    node.last_error = HOSTILE
    db_session.commit()

    csv_text = client.get("/dashboard/export/freshness.csv").data.decode("utf-8-sig")
    xlsx = client.get("/dashboard/export/freshness.xlsx")

    cells = [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]
    assert f"'{HOSTILE}" in cells
    assert HOSTILE not in cells
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    found = [cell for row in sheet.iter_rows() for cell in row if cell.value == HOSTILE]
    assert found
    assert {cell.data_type for cell in found} == {"s"}
