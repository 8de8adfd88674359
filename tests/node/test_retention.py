"""Retention (issue 18 part 2): the schedule as data, `giamngheo node retention [--dry-run]` on a
node filled by the demo, run as if years later: the dry run counts exactly what the real run
then deletes, anonymises or pseudonymises, and nothing else; the reports and the snapshot's
figures are the same before and after; the audit chain still verifies."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from node.cli import cli
from node.config import TestConfig
from node.context import VIETNAM, node_context
from node.models import (
    Application,
    AuditEntry,
    IdempotencyKey,
    LookupAttempt,
    User,
    UserSession,
)
from node.models.applications import is_open
from node.scheduler import add_jobs
from node.services import accounts, aggregates, reports
from node.services.applications import withdraw_application
from node.services.audit import verify_audit_chain
from node.services.retention import parse_overrides, schedule
from shared.settings import ConfigError

pytestmark = pytest.mark.usefixtures("fixed_clock")

PROVINCE = "12"
LATER = datetime(2032, 6, 1, 3, tzinfo=UTC)  # after 2026's archive time of 5 years


@pytest.fixture(autouse=True)
def lai_chau(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROVINCE_CODE", PROVINCE)


def official_figures(session, moment) -> str:
    """R1–R4 for the province, R5's rows, and the snapshot's figures as of ``moment``."""
    tables = [
        asdict(reports.build_report(session, code, PROVINCE, 2026, PROVINCE))
        for code in ("R1", "R2", "R3", "R4")
    ]
    r5 = list(reports.r5_rows(session, PROVINCE, 2026, PROVINCE))
    figures = aggregates.snapshot_figures(session, PROVINCE, 2026, moment)
    return json.dumps([tables, r5, figures], sort_keys=True, default=str, ensure_ascii=False)


def seeded(runner, db_session) -> None:
    result = runner.invoke(cli, ["seed-demo", "--households", "300"])
    assert result.exit_code == 0, result.output
    # One applicant withdraws; one official signs in and the session expires.
    waiting = db_session.scalar(select(Application).where(Application.status == "submitted"))
    withdraw_application(db_session, waiting, node_context())
    user = db_session.scalar(select(User).limit(1))
    accounts.open_session(db_session, user, accounts.WEB, now=node_context().now)
    db_session.add(
        LookupAttempt(scope="code", key="0" * 64, window_started_at=node_context().now, failures=2)
    )
    db_session.commit()


def lines(output: str) -> dict[str, str]:
    return {line.split(":")[0]: line for line in output.strip().splitlines()}


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_dry_run_then_run_on_the_demo_node(runner, db_session, fixed_clock):
    seeded(runner, db_session)
    before_moment = node_context().now
    before = official_figures(db_session, before_moment)
    refused = count(
        db_session, Application, Application.status == "decided", Application.outcome == "refused"
    )
    open_names = sorted(db_session.scalars(select(Application.applicant_name).where(is_open())))
    keys, audits = count(db_session, IdempotencyKey), count(db_session, AuditEntry)
    assert refused > 0
    assert keys > 0

    # Within the periods nothing is due but the passed lookup window.
    fixed_clock.set(before_moment + timedelta(days=1))
    early = lines(runner.invoke(cli, ["retention", "--dry-run"]).output)
    assert early["refused_applications"].startswith("refused_applications: would anonymise: 0")
    assert "would delete: 1" in early["lookup_attempts"]

    fixed_clock.set(LATER)
    dry = runner.invoke(cli, ["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    said = lines(dry.output)
    assert said["refused_applications"].startswith(
        f"refused_applications: would anonymise: {refused} "
    )
    assert said["withdrawn_applications"].startswith("withdrawn_applications: would anonymise: 1 ")
    assert said["idempotency_keys"].startswith(f"idempotency_keys: would delete: {keys} ")
    assert said["audit_entries"].startswith(f"audit_entries: would pseudonymise: {audits} ")
    assert "would delete: 1" in said["lookup_attempts"]
    assert count(db_session, UserSession) >= 1
    assert said["expired_sessions"].startswith(
        f"expired_sessions: would delete: {count(db_session, UserSession)} "
    )
    assert "nothing held on the node: 0" in said["unsubmitted_drafts"]
    # The dry run changed nothing.
    assert count(db_session, IdempotencyKey) == keys
    assert count(db_session, Application, Application.anonymised_at.is_not(None)) == 0
    assert count(db_session, AuditEntry) == audits

    run = runner.invoke(cli, ["retention"])
    assert run.exit_code == 0, run.output
    done = lines(run.output)
    assert done["refused_applications"].startswith(f"refused_applications: anonymised: {refused} ")
    db_session.expire_all()
    anonymised = db_session.scalars(
        select(Application).where(Application.anonymised_at.is_not(None))
    ).all()
    assert len(anonymised) == refused + 1
    assert {a.status for a in anonymised} == {"decided", "withdrawn"}
    assert all(
        (a.applicant_name, a.applicant_citizen_id, a.applicant_phone, a.declared_facts)
        == ("", "", "", {})
        for a in anonymised
    )
    # Open and recognised applications are untouched.
    assert open_names
    assert sorted(db_session.scalars(select(Application.applicant_name).where(is_open()))) == (
        open_names
    )
    assert count(db_session, Application, Application.outcome == "recognised",
                 Application.applicant_name == "") == 0  # fmt: skip
    assert count(db_session, IdempotencyKey) == 0
    assert count(db_session, LookupAttempt) == 0
    assert count(db_session, UserSession) == 0
    # Audit entries: pseudonymised, none removed, the chain verifies; the run audited itself.
    assert count(db_session, AuditEntry) == audits + 1
    assert count(db_session, AuditEntry, AuditEntry.pseudonymised_at.is_not(None)) == audits
    assert count(db_session, AuditEntry, AuditEntry.why.is_not(None)) == 0
    assert verify_audit_chain(db_session) is None
    # Aggregates and official reports never change.
    assert official_figures(db_session, before_moment) == before

    again = lines(runner.invoke(cli, ["retention", "--dry-run"]).output)
    assert all(": 0 (" in line for line in again.values()), again


def test_a_pseudonymised_entry_still_guards_the_chain(runner, db_session, fixed_clock):
    seeded(runner, db_session)
    fixed_clock.set(LATER)
    assert runner.invoke(cli, ["retention"]).exit_code == 0
    entry = db_session.scalar(select(AuditEntry).order_by(AuditEntry.id).limit(1))
    assert entry.pseudonymised_at is not None

    entry.role = "province_admin" if entry.role != "province_admin" else "village_head"
    db_session.flush()

    assert verify_audit_chain(db_session) == entry.id


def test_an_entry_not_yet_pseudonymised_cannot_have_its_details_edited(runner, db_session):
    seeded(runner, db_session)
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.details.is_not(None)).order_by(AuditEntry.id.desc())
    )
    entry.details = {"count": 999_999}
    db_session.flush()

    assert verify_audit_chain(db_session) == entry.id


def test_the_scheduler_applies_it_every_night(app, runner, db_session, fixed_clock):
    scheduler = BackgroundScheduler(timezone=VIETNAM)
    add_jobs(scheduler, app)
    job = scheduler.get_job("nightly-retention")
    assert job is not None
    assert str(job.trigger) == "cron[hour='2', minute='15']"

    seeded(runner, db_session)
    fixed_clock.set(LATER)
    job.func(*job.args)  # what the scheduler calls at 02:15

    db_session.expire_all()
    assert count(db_session, Application, Application.anonymised_at.is_not(None)) > 0
    assert count(db_session, IdempotencyKey) == 0
    assert db_session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == (
        "apply_retention"
    )


def test_the_province_sets_its_own_periods():
    assert parse_overrides("audit_entries=3650, idempotency_keys=7") == {
        "audit_entries": 3650,
        "idempotency_keys": 7,
    }
    rules = {rule.category: rule for rule in schedule({"audit_entries": 3650})}
    assert rules["audit_entries"].keep_days == 3650
    assert rules["idempotency_keys"].keep_days == 30
    assert all(rule.basis for rule in rules.values())
    for bad in ("nonsense=3", "audit_entries=-1", "audit_entries=٣", "audit_entries"):
        with pytest.raises(ValueError, match="GIAMNGHEO_RETENTION"):
            parse_overrides(bad)


def test_a_bad_retention_setting_stops_the_node_at_start():
    with pytest.raises(ConfigError, match="GIAMNGHEO_RETENTION"):
        TestConfig({"GIAMNGHEO_RETENTION": "audit_entries=forever"})
    config = TestConfig({"GIAMNGHEO_RETENTION": "audit_entries=3650"})
    assert config.RETENTION_DAYS == {"audit_entries": 3650}
