"""`giamngheo hub scheduler`: one job per enabled node in the hub database's job store, kept in
step with the registry, and the real process pulling a node."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from hub.cli import cli
from hub.extensions import db
from hub.models import PullAttempt
from hub.scheduler import PULL_JOB_PREFIX, apply_plan, build_scheduler

TIMEOUT = 60


@pytest.fixture
def hub_app(make_app):
    """A hub app on its own, migrated database (the job store commits for real)."""
    app = make_app()
    result = app.test_cli_runner().invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def scheduler(hub_app):
    scheduler = build_scheduler(hub_app, BackgroundScheduler)
    scheduler.start(paused=True)
    yield scheduler
    scheduler.shutdown(wait=False)


def stored_jobs(app):
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT id FROM apscheduler_jobs ORDER BY id"))
        return [row[0] for row in rows]


def test_one_job_per_enabled_node_stored_in_the_hub_database(hub_app, scheduler):
    apply_plan(scheduler, {"12": 3600, "01": 600})

    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert stored_jobs(hub_app) == [f"{PULL_JOB_PREFIX}01", f"{PULL_JOB_PREFIX}12"]
    job = jobs[f"{PULL_JOB_PREFIX}12"]
    assert job.args == ("12",)
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.trigger.interval.total_seconds() == 3600
    assert job.trigger.jitter == 300
    assert jobs[f"{PULL_JOB_PREFIX}01"].trigger.jitter == 60


def test_jobs_follow_the_registry(hub_app, scheduler):
    apply_plan(scheduler, {"12": 3600, "01": 600})

    apply_plan(scheduler, {"12": 900, "79": 3600})

    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == [f"{PULL_JOB_PREFIX}12", f"{PULL_JOB_PREFIX}79"]
    assert jobs[f"{PULL_JOB_PREFIX}12"].trigger.interval.total_seconds() == 900
    assert stored_jobs(hub_app) == sorted(jobs)


def test_the_scheduler_process_pulls_a_registered_node(hub_app, db_url, nodes, tmp_path):
    node = nodes["12"]
    runner = hub_app.test_cli_runner()
    registered = runner.invoke(
        cli,
        ["register-node", "--province", "12", "--url", node.url, "--token", node.token,
         "--public-key", node.public_key],
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    with hub_app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIAMNGHEO_")},
        "GIAMNGHEO_ENV": "testing",
        "GIAMNGHEO_DATABASE_URL": url,
    }
    log = (tmp_path / "scheduler.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "hub", "scheduler"],
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        attempts = []
        deadline = time.monotonic() + TIMEOUT
        while not attempts and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
            with hub_app.app_context():
                attempts = db.session.scalars(sa.select(PullAttempt)).all()
                db.session.remove()
        assert attempts, _tail(log)
        assert attempts[0].outcome == "ok"
        assert attempts[0].snapshot_id == node.snapshot["snapshot_id"]
        assert set(stored_jobs(hub_app)) == {"sync-nodes", f"{PULL_JOB_PREFIX}12"}
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0, _tail(log)


def _tail(log):
    log.seek(0)
    return log.read()[-3000:]
