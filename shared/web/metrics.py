"""`GET /metrics` of either app, in Prometheus' text format (DESIGN §5), for the addresses in
GIAMNGHEO_METRICS_ALLOW only.

Every answer is counted by route, method and status, and timed
(``giamngheo_http_requests_total``, ``giamngheo_http_request_duration_seconds``). Labels never
carry a raw path, a query or anything a client typed: the route's rule
(``/api/v1/applications/<tracking_code>/lookup``), one of the HTTP methods, the status code. The
app's own gauges (applications by status, node freshness, …) are read from the database by its
collector only when /metrics is scraped, so requests pay nothing for them.

Under gunicorn every worker counts on its own: the gunicorn configuration (ansible/roles/app)
sets PROMETHEUS_MULTIPROC_DIR, prometheus-client keeps the counts in files there, and whichever
worker answers /metrics adds up all of them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from ipaddress import ip_address

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from shared.web import database_metrics

logger = logging.getLogger(__name__)

# Methods the apps answer; any other is counted as OTHER, so a client cannot invent labels.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The endpoint label of an answer that matched no route (404, 405).
UNMATCHED = "<unmatched>"
# From a static file to the slowest report export (gunicorn's timeout is 60 s).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# The classic text format every Prometheus 2 reads (Debian 12's is 2.42).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# No `_created` series: multiprocess mode has none, so one process alone should not either.
disable_created_metrics()

bp = Blueprint("metrics", __name__)


class Metrics:
    """One app's request metrics, and the collectors of its own gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "giamngheo_http_requests",
            "HTTP answers, by route rule, method and status code.",
            ("endpoint", "method", "status"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "giamngheo_http_request_duration_seconds",
            "Time from the request reaching the app to its answer, by route rule and method.",
            ("endpoint", "method"),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.collectors: list[Collector] = [database_metrics.DatabaseCollector()]

    def observe(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, method, str(status)).inc()
        self.duration.labels(endpoint, method).observe(seconds)

    def exposition(self) -> bytes:
        """Everything, in the text format: the requests (of every gunicorn worker) and gauges."""
        directory = os.environ.get(MULTIPROCESS_DIR)
        if directory:
            registry = CollectorRegistry(auto_describe=False)
            MultiProcessCollector(registry, path=directory)
        else:
            registry = CollectorRegistry(auto_describe=False)
            registry.register(_Forward(self.registry))
        for collector in self.collectors:
            registry.register(collector)
        return generate_latest(registry)


class _Forward(Collector):
    """This process's own request metrics (no gunicorn: the dev server, waitress, tests)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.source = registry

    def collect(self) -> Iterable[Metric]:
        return self.source.collect()


def metrics_of(app: Flask) -> Metrics:
    return app.extensions["metrics"]


def add_collector(app: Flask, collector: Collector) -> None:
    """Add the app's own gauges (read when /metrics is scraped)."""
    metrics_of(app).collectors.append(collector)


def init_app(app: Flask) -> None:
    """Count and time every answer, and serve /metrics. Registered first, so that the timer
    starts before any other hook and the count sees the final status."""
    app.extensions["metrics"] = Metrics()
    app.before_request(_start_timer)
    app.after_request(_record)
    app.register_blueprint(bp)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _record(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        rule = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        method = request.method if request.method in METHODS else "OTHER"
        seconds = time.perf_counter() - started
        metrics_of(current_app).observe(rule, method, response.status_code, seconds)
    return response


def client_allowed(address: str | None, networks: Iterable) -> bool:
    """Whether the client's address (as TRUSTED_PROXIES gives it) is in an allowed network."""
    try:
        client = ip_address(address or "")
    except ValueError:
        return False
    if client.version == 6 and client.ipv4_mapped is not None:
        client = client.ipv4_mapped
    return any(client in network for network in networks)


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text format, for GIAMNGHEO_METRICS_ALLOW addresses only (403 for others)."""
    if not client_allowed(request.remote_addr, current_app.config["METRICS_ALLOW"]):
        abort(403)
    body = metrics_of(current_app).exposition()
    response = Response(body, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response
