"""`giamngheo node scheduler`: the node's background jobs, in their own process.

Snapshots are rebuilt when decisions have been recorded since the last build, checked every few
minutes, and every night regardless (counts of pending applications move without decisions).
Every hour the counts of wrong lookup proofs whose window has passed are deleted; every night
the retention schedule is applied (node.services.retention).
APScheduler runs here, never inside the web workers; each job pushes an app context, calls a
service and commits once.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from sqlalchemy import func, select

from node.context import VIETNAM, node_context
from node.extensions import db
from node.models.review import Decision
from node.services import retention
from node.services.aggregates import build_snapshot, latest_snapshot
from node.services.lookups import prune_lookup_attempts
from node.services.periods import accepted_periods
from shared.moments import utc_naive

logger = logging.getLogger(__name__)


def rebuild_snapshots(force: bool = False) -> list[str]:
    """Rebuild the snapshots of the periods in play; only if decisions came since, unless
    ``force``. Returns the snapshot ids now current."""
    context = node_context()
    ids = []
    for period in accepted_periods(context.today, context.review_window):
        latest = latest_snapshot(db.session, period)
        last_decision = db.session.scalar(select(func.max(Decision.recorded_at)))
        stale = latest is None or (
            last_decision is not None and utc_naive(last_decision) > utc_naive(latest.generated_at)
        )
        if force or stale:
            snapshot = build_snapshot(
                db.session,
                context.province_code,
                period,
                context.now,
                current_app.config["SUPPRESSION_K"],
            )
            ids.append(snapshot.snapshot_id)
    db.session.commit()
    return ids


def _job(app: Flask, force: bool) -> None:
    with app.app_context():
        try:
            rebuilt = rebuild_snapshots(force=force)
        except Exception:
            db.session.rollback()
            logger.exception("snapshot rebuild failed")
            return
        if rebuilt:
            logger.info("rebuilt %d snapshot(s)", len(rebuilt))


def prune_lookups() -> int:
    """Delete the counts of wrong lookup proofs whose window has passed; how many went."""
    removed = prune_lookup_attempts(db.session, node_context().now)
    db.session.commit()
    return removed


def _prune_job(app: Flask) -> None:
    with app.app_context():
        try:
            removed = prune_lookups()
        except Exception:
            db.session.rollback()
            logger.exception("pruning lookup counts failed")
            return
        logger.debug("pruned %d lookup count(s)", removed)


def run_retention(dry_run: bool) -> list[retention.Outcome]:
    """Apply (or count) the retention schedule with the province's periods, as of the node's
    clock; a real run is audited and committed as one transaction, a dry run rolled back."""
    context = node_context()
    rules = retention.schedule(current_app.config.get("RETENTION_DAYS"))
    outcomes = retention.apply_retention(db.session, rules, context.now, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        retention.record_run(db.session, outcomes, context.now)
        db.session.commit()
    return outcomes


def _retention_job(app: Flask) -> None:
    with app.app_context():
        try:
            lines = [outcome.line(False) for outcome in run_retention(dry_run=False)]
        except Exception:
            db.session.rollback()
            logger.exception("applying the retention schedule failed")
            return
        logger.info("retention: %s", "; ".join(lines))


def add_jobs(scheduler: BaseScheduler, app: Flask, check_every_seconds: int = 300) -> None:
    """The node's jobs: snapshots after decisions and nightly, lookup counts hourly, the
    retention schedule nightly."""
    scheduler.add_job(
        _job, "interval", seconds=check_every_seconds, args=(app, False), id="after-decisions"
    )
    scheduler.add_job(
        _job, CronTrigger(hour=1, minute=30, timezone=VIETNAM), args=(app, True), id="nightly"
    )
    scheduler.add_job(_prune_job, "interval", hours=1, args=(app,), id="prune-lookups")
    scheduler.add_job(
        _retention_job,
        CronTrigger(hour=2, minute=15, timezone=VIETNAM),
        args=(app,),
        id="nightly-retention",
    )


def run_scheduler(app: Flask, check_every_seconds: int = 300) -> None:
    """Block, running the jobs until stopped (SIGTERM or Ctrl-C)."""
    scheduler = BlockingScheduler(
        timezone=VIETNAM, job_defaults={"coalesce": True, "max_instances": 1}
    )
    add_jobs(scheduler, app, check_every_seconds)
    logger.info("node scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("node scheduler stopped")
