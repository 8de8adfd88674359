"""`giamngheo node scheduler`: the node's background jobs, in their own process.

Snapshots are rebuilt when decisions have been recorded since the last build, checked every few
minutes, and every night regardless (counts of pending applications move without decisions).
Every hour the counts of wrong lookup proofs whose window has passed are deleted.
APScheduler runs here, never inside the web workers; each job pushes an app context, calls a
service and commits once.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from sqlalchemy import func, select

from node.context import VIETNAM, node_context
from node.extensions import db
from node.models.review import Decision
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


def run_scheduler(app: Flask, check_every_seconds: int = 300) -> None:
    """Block, running the jobs until stopped (SIGTERM or Ctrl-C)."""
    scheduler = BlockingScheduler(
        timezone=VIETNAM, job_defaults={"coalesce": True, "max_instances": 1}
    )
    scheduler.add_job(
        _job, "interval", seconds=check_every_seconds, args=(app, False), id="after-decisions"
    )
    scheduler.add_job(
        _job, CronTrigger(hour=1, minute=30, timezone=VIETNAM), args=(app, True), id="nightly"
    )
    scheduler.add_job(_prune_job, "interval", hours=1, args=(app,), id="prune-lookups")
    logger.info("node scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("node scheduler stopped")
