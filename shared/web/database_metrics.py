"""Gauges read from the database when /metrics is scraped: whether it answers, and on PostgreSQL
how WAL archiving (pgBackRest, ansible/roles/postgresql) keeps up. The apps' collectors
(node/metrics.py, hub/metrics.py) stand on ``DatabaseReader``."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

from flask import current_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

# A WAL segment file's name: timeline, then the segment number in two 8-hex-digit halves.
WAL_FILE = re.compile(r"^[0-9A-F]{8}(?P<high>[0-9A-F]{8})(?P<low>[0-9A-F]{8})")
# pg_stat_archiver and the current WAL file, readable by the app's unprivileged role. On a
# standby pg_walfile_name() is refused, so the current file is asked for only on a primary.
ARCHIVER = text(
    "SELECT last_archived_wal,"
    " extract(epoch FROM now() - last_archived_time) AS archived_age,"
    " failed_count,"
    " extract(epoch FROM now() - last_failed_time) AS failed_age,"
    " CASE WHEN pg_is_in_recovery() THEN NULL"
    " ELSE pg_walfile_name(pg_current_wal_lsn()) END AS current_wal,"
    " pg_size_bytes(current_setting('wal_segment_size')) AS segment_bytes,"
    " current_setting('archive_mode') AS archive_mode"
    " FROM pg_stat_archiver"
)


def session() -> Session:
    """The app's database session (Flask-SQLAlchemy's), whichever app this is."""
    return current_app.extensions["sqlalchemy"].session


class DatabaseReader(Collector):
    """A collector whose gauges come from the database: a failing query gives no gauges (the
    database's own gauge says it is down) instead of a failed scrape."""

    def read(self, session: Session) -> Iterable[Metric]:
        raise NotImplementedError

    def collect(self) -> Iterator[Metric]:
        db_session = session()
        try:
            metrics = list(self.read(db_session))
        except SQLAlchemyError:
            logger.warning("metrics: %s could not read the database", type(self).__name__)
            return iter(())
        finally:
            # A scrape opens no transaction that outlives it.
            db_session.rollback()
        return iter(metrics)


class DatabaseCollector(DatabaseReader):
    """``giamngheo_database_up``, and the WAL archive's progress on PostgreSQL."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "giamngheo_database_up", "1 when the app's database answered this scrape, else 0."
        )
        db_session = session()
        try:
            db_session.execute(text("SELECT 1"))
            answered = True
        except SQLAlchemyError:
            answered = False
        finally:
            db_session.rollback()
        up.add_metric([], 1 if answered else 0)
        yield up
        if answered and db_session.get_bind().dialect.name == "postgresql":
            yield from super().collect()

    def read(self, session: Session) -> Iterable[Metric]:
        row = session.execute(ARCHIVER).mappings().one()
        if row["archive_mode"] == "off":
            return []
        return wal_metrics(row)


def wal_metrics(row) -> list[Metric]:
    """The archive's gauges from one row of ARCHIVER."""
    metrics: list[Metric] = []
    failures = CounterMetricFamily(
        "giamngheo_wal_archive_failures",
        "WAL files the archive command failed to archive (pg_stat_archiver.failed_count).",
    )
    failures.add_metric([], int(row["failed_count"] or 0))
    metrics.append(failures)
    if row["archived_age"] is not None:
        age = GaugeMetricFamily(
            "giamngheo_wal_last_archived_age_seconds",
            "Seconds since a WAL file was last archived.",
        )
        age.add_metric([], float(row["archived_age"]))
        metrics.append(age)
    pending = unarchived_segments(
        row["current_wal"], row["last_archived_wal"], int(row["segment_bytes"])
    )
    if pending is not None:
        gauge = GaugeMetricFamily(
            "giamngheo_wal_unarchived_segments",
            "Finished WAL files not archived yet (0 when the archive keeps up; an idle server"
            " stays at 0 too).",
        )
        gauge.add_metric([], pending)
        metrics.append(gauge)
    return metrics


def segment_number(name: str | None, segment_bytes: int) -> int | None:
    """The position of a WAL file in the WAL stream (None for a history file or no file)."""
    match = WAL_FILE.match(name or "")
    if match is None:
        return None
    per_high = 0x100000000 // segment_bytes
    return int(match["high"], 16) * per_high + int(match["low"], 16)


def unarchived_segments(
    current: str | None, archived: str | None, segment_bytes: int
) -> int | None:
    """How many finished segments lie between the last archived one and the one being written."""
    now = segment_number(current, segment_bytes)
    if now is None:
        return None
    done = segment_number(archived, segment_bytes)
    if done is None:
        # Nothing archived since the server started (or only a history file): no position to
        # measure from; giamngheo_wal_archive_failures tells a failing archive command.
        return None
    return max(now - done - 1, 0)
