"""The node's own gauges on /metrics (DESIGN §5): applications by status, overdue files, the
age of the newest aggregate snapshot. Read from the database when Prometheus scrapes, never per
request."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.orm import Session

from node.context import now, today
from node.services.monitoring import busiest_accounts, work_counts
from node.services.scopes import ROLES
from shared.web.database_metrics import DatabaseReader
from shared.web.metrics import add_collector


class NodeCollector(DatabaseReader):
    """giamngheo_applications{status}, giamngheo_applications_overdue,
    giamngheo_snapshot_age_seconds, giamngheo_personal_data_reads_busiest_account{role}."""

    def read(self, session: Session) -> Iterable[Metric]:
        counts = work_counts(session, today())
        applications = GaugeMetricFamily(
            "giamngheo_applications", "Applications, by status.", labels=("status",)
        )
        for status, count in counts.by_status.items():
            applications.add_metric([status], count)
        overdue = GaugeMetricFamily(
            "giamngheo_applications_overdue",
            "Open applications whose deadline has passed (the officers' overdue list).",
        )
        overdue.add_metric([], counts.overdue)
        metrics: list[Metric] = [applications, overdue]
        if counts.newest_snapshot_at is not None:
            age = GaugeMetricFamily(
                "giamngheo_snapshot_age_seconds",
                "Seconds since the newest aggregate snapshot for the hub was built.",
            )
            age.add_metric([], (now() - counts.newest_snapshot_at).total_seconds())
            metrics.append(age)
        metrics.append(_busiest_accounts(session))
        return metrics


def _busiest_accounts(session: Session) -> Metric:
    busiest = GaugeMetricFamily(
        "giamngheo_personal_data_reads_busiest_account",
        "Per role, the most reads and exports of personal data by one account in the last "
        "15 minutes (the account is not named: giamngheo node access-report names it).",
        labels=("role",),
    )
    counts = busiest_accounts(session, now())
    for role in ROLES:
        busiest.add_metric([role], counts.get(role, 0))
    return busiest


def init_app(app: Flask) -> None:
    """Add the node's gauges to /metrics."""
    add_collector(app, NodeCollector())
