"""`giamngheo hub scheduler`: APScheduler in its own process, its job store in the hub DB.

One interval job per enabled node (its own interval, with jitter) pulls that node; a small
sync job, every minute, adds, reschedules and removes node jobs as the registry changes. Jobs
are thin: they push an app context and call the pull service. ``coalesce`` and
``max_instances=1`` mean a node that is slow to answer is never pulled twice at once, and
missed runs collapse into one.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

import requests
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from sqlalchemy import select

from hub.extensions import db
from hub.models.nodes import Node
from hub.services import pulls
from hub.services.nodes import TokenCipher
from shared.web.clock import now

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
SYNC_JOB_ID = "sync-nodes"
PULL_JOB_PREFIX = "pull-node-"
# Jitter of a node's pull: a tenth of its interval, at most five minutes, so the nodes of one
# interval spread out instead of all being pulled on the same second.
MAX_JITTER_SECONDS = 300
# A new node's first pull comes within this many seconds of it being seen.
FIRST_PULL_SPREAD_SECONDS = 10
MISFIRE_GRACE_SECONDS = 600

# The app and scheduler of this process, set by run_scheduler; the jobs, which APScheduler
# stores by reference, find them here.
_app: Flask | None = None
_scheduler: BaseScheduler | None = None


def pull_now(
    provinces: list[str] | None = None, period: int | None = None
) -> list[pulls.PullResult]:
    """Pull the enabled nodes (or the named ones) once, with one HTTP session for the run."""
    config = current_app.config
    settings = pulls.PullSettings.from_config(config)
    cipher = TokenCipher(config["SECRET_KEY"])
    http: requests.Session = pulls.http_session(settings)
    with http:
        return pulls.pull_all(
            db.session,
            http,
            settings,
            cipher,
            commit=db.session.commit,
            now=now,
            provinces=provinces,
            period=period,
        )


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler):
    """A scheduler whose job store is the hub database's ``apscheduler_jobs`` table."""
    with app.app_context():
        engine = db.engine
    return scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(max(2, app.config["PULL_WORKERS"]))},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
        timezone=UTC,
    )


def run_scheduler(app: Flask) -> None:
    """Run the scheduler in this process until SIGTERM or Ctrl-C."""
    global _app, _scheduler  # the process's one scheduler, for its jobs
    scheduler = build_scheduler(app)
    _app, _scheduler = app, scheduler
    scheduler.add_job(
        sync_jobs,
        "interval",
        seconds=app.config["SCHEDULER_SYNC_SECONDS"],
        id=SYNC_JOB_ID,
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )
    logger.info("Hub scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("Hub scheduler stopping")
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        _app, _scheduler = None, None


def sync_jobs() -> None:
    """Job: make the node jobs match the registry (added, changed, disabled, removed)."""
    if _app is None or _scheduler is None:
        raise RuntimeError("sync_jobs runs inside `giamngheo hub scheduler` only")
    with _app.app_context():
        try:
            rows = db.session.execute(
                select(Node.province_code, Node.interval_seconds).where(Node.enabled.is_(True))
            )
            # A list of pairs: dict() would take the Result itself for a mapping.
            plan = dict(rows.tuples().all())
        finally:
            db.session.remove()
    apply_plan(_scheduler, plan)


def apply_plan(scheduler: BaseScheduler, plan: dict[str, int]) -> None:
    """Add, reschedule or remove the pull jobs so there is one per ``plan`` entry."""
    jobs = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(PULL_JOB_PREFIX)}
    wanted = {f"{PULL_JOB_PREFIX}{code}": (code, interval) for code, interval in plan.items()}
    for job_id in sorted(jobs.keys() - wanted.keys()):
        scheduler.remove_job(job_id)
        logger.info("Stopped pulling %s", job_id.removeprefix(PULL_JOB_PREFIX))
    for job_id, (code, interval) in sorted(wanted.items()):
        trigger = IntervalTrigger(seconds=interval, jitter=_jitter(interval), timezone=UTC)
        job = jobs.get(job_id)
        if job is None:
            first = datetime.now(UTC) + timedelta(
                seconds=random.uniform(0, FIRST_PULL_SPREAD_SECONDS)  # noqa: S311
            )
            scheduler.add_job(
                pull_node_job,
                trigger,
                args=[code],
                id=job_id,
                name=f"pull node {code}",
                next_run_time=first,
                replace_existing=True,
            )
            logger.info("Pulling node %s every %d s", code, interval)
        elif job.trigger.interval.total_seconds() != interval:
            scheduler.reschedule_job(job_id, trigger=trigger)
            logger.info("Pulling node %s every %d s from now on", code, interval)


def pull_node_job(province_code: str) -> None:
    """Job: pull one node, in an app context; its failure is recorded, never raised."""
    if _app is None:
        raise RuntimeError("pull_node_job runs inside `giamngheo hub scheduler` only")
    with _app.app_context():
        try:
            for result in pull_now(provinces=[province_code]):
                logger.info("Pulled node %s: %s", result.province_code, result.outcome)
        except Exception:
            logger.exception("Pull job of node %s failed", province_code)
        finally:
            db.session.remove()


def _jitter(interval: int) -> int:
    return min(MAX_JITTER_SECONDS, interval // 10)
