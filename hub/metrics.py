"""The hub's own gauges on /metrics (DESIGN §5): each node's last successful pull, the stale
nodes, the pulls by outcome. Read from the database when Prometheus scrapes; the pulls happen in
the scheduler's process, so their count comes from the attempts it recorded."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.orm import Session

from hub.services.monitoring import pull_counts
from hub.services.nodes import node_statuses
from shared.web.clock import now
from shared.web.database_metrics import DatabaseReader
from shared.web.metrics import add_collector


class HubCollector(DatabaseReader):
    """giamngheo_node_last_success_age_seconds{province}, giamngheo_nodes_stale,
    giamngheo_pulls_total{province,outcome}."""

    def read(self, session: Session) -> Iterable[Metric]:
        moment = now()
        statuses = node_statuses(
            session, now=moment, stale_factor=current_app.config["STALE_FACTOR"]
        )
        age = GaugeMetricFamily(
            "giamngheo_node_last_success_age_seconds",
            "Seconds since the node's snapshot was last pulled successfully, by province.",
            labels=("province",),
        )
        stale = 0
        for status in statuses:
            if not status.registered or not status.enabled:
                continue
            stale += status.stale
            if status.last_success_at is not None:
                seconds = (moment - status.last_success_at).total_seconds()
                age.add_metric([status.province_code], seconds)
        stale_gauge = GaugeMetricFamily(
            "giamngheo_nodes_stale",
            "Enabled nodes whose last success is older than STALE_FACTOR intervals (or never).",
        )
        stale_gauge.add_metric([], stale)
        pulls = CounterMetricFamily(
            "giamngheo_pulls",
            "Pull attempts, by province and outcome.",
            labels=("province", "outcome"),
        )
        for (province, outcome), count in sorted(pull_counts(session).items()):
            pulls.add_metric([province, outcome], count)
        return [age, stale_gauge, pulls]


def init_app(app: Flask) -> None:
    """Add the hub's gauges to /metrics."""
    add_collector(app, HubCollector())
