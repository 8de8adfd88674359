"""`giamngheo node seed-demo`: a sampled population taken through the real review."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from node.cli import cli
from node.models import Application, HouseholdStatus, Snapshot
from node.services.audit import verify_audit_chain

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture(autouse=True)
def lai_chau(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROVINCE_CODE", "12")


def test_seed_demo_runs_households_through_the_review(runner, db_session):
    result = runner.invoke(cli, ["seed-demo", "--households", "400"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["applications"] > 20  # Lai Châu: about 15% poor or near-poor
    assert summary["recognised"] > 10
    assert {login["role"] for login in summary["logins"]} == {
        "province_admin", "province_officer", "commune_officer", "commune_chair", "village_head",
    }  # fmt: skip
    applications = db_session.scalar(select(func.count()).select_from(Application))
    assert applications == summary["applications"]
    statuses = db_session.scalar(
        select(func.count())
        .select_from(HouseholdStatus)
        .where(HouseholdStatus.classification.in_(("poor", "near_poor")))
    )
    assert statuses == summary["recognised"]
    decided_statuses = set(
        db_session.scalars(select(Application.status).where(Application.status != "decided"))
    )
    assert decided_statuses <= {"submitted", "under_review", "meeting_held"}
    snapshot = json.loads(db_session.scalar(select(Snapshot.body)))
    poor = sum(row["poor"] for row in snapshot["rows"])
    total = sum(row["households_total"] for row in snapshot["rows"])
    assert 0.02 < poor / total < 0.2
    assert verify_audit_chain(db_session) is None
    again = runner.invoke(cli, ["seed-demo", "--households", "10"])
    assert again.exit_code != 0
    assert "empty node" in again.output
