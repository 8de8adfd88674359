"""The hub's exports keep a hostile text as text: a node's last error (which a node's answer can
put words into) written as a formula, in the freshness board's CSV and XLSX."""

from __future__ import annotations

from tests.test_spreadsheet_formulas import HOSTILE, assert_hostile_kept_as_text


def test_the_freshness_export_keeps_a_formula_error_as_text(
    client, db_session, signed_in, nodes, register
):
    node = register(nodes["12"])
    node.last_outcome = "error"
    node.last_error = HOSTILE
    db_session.commit()

    csv_text = client.get("/dashboard/export/freshness.csv").data.decode("utf-8-sig")
    xlsx = client.get("/dashboard/export/freshness.xlsx")

    assert_hostile_kept_as_text(csv_text, xlsx.data)
