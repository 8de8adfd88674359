"""The node's exports keep a hostile text as text: R5 (CSV and XLSX) with a village named as a
formula, and the audit log's CSV with a reason written as one."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from node.models import Household, Village
from node.services import audit
from tests.node.officials_helpers import new_application, posted
from tests.node.review_helpers import NOW, act
from tests.test_spreadsheet_formulas import HOSTILE, assert_hostile_kept_as_text

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def hostile_village(client, db_session, team):
    """A recognised household whose village is named like a formula."""
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    act(client, team.chair.bearer, app_id, "decide", number="1/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    village_id = db_session.scalar(select(Household.village_id))
    db_session.get(Village, village_id).name = HOSTILE
    db_session.commit()


def test_r5_csv_and_xlsx_keep_a_formula_village_as_text(team, hostile_village):
    csv_text = team.chair.get("/officials/reports/R5.csv?period=2026").get_data(as_text=True)
    xlsx = team.chair.get("/officials/reports/R5.xlsx?period=2026")

    assert_hostile_kept_as_text(csv_text, xlsx.data)


def test_the_audit_csv_keeps_a_formula_reason_as_text(client, db_session, login_web):
    reason = "@SUM(1+1)*cmd|' /C calc'!A0"
    audit.record(db_session, None, "note", "audit_log", None, NOW, why=reason)
    db_session.commit()
    login_web("province_admin")

    export = client.get("/admin/audit.csv?date_from=2026-11-24&date_to=2026-11-24")

    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    reasons = [row[10] for row in rows[1:]]
    assert f"'{reason}" in reasons
    assert reason not in reasons
