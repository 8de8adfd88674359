"""Hub configuration: the shared settings (``shared.web.config``) and the hub's own."""

from __future__ import annotations

from collections.abc import Mapping

from shared.web.config import BaseConfig, environments
from shared.web.config import load_config as load_from


class Config(BaseConfig):
    """The hub's settings in every environment."""

    APP_NAME = "hub"
    PRODUCTION_COOKIE_NAME = "__Host-giamngheo-hub"
    API_TITLE = "giamngheo hub"
    # Never compressed (see BaseConfig): the sign-in page and the account page (a second factor's
    # secret while enrolling). The hub holds no personal data.
    UNCOMPRESSED_PATHS = (
        *BaseConfig.UNCOMPRESSED_PATHS,
        r"^/login$",
        r"^/account(/|$)",
        # Bytes signed as they are: open data serves a node's snapshot exactly as it signed it.
        r"^/api/v1/public/snapshots/",
    )
    # Larger request bodies get a 413: the hub takes nothing bigger than a sign-in form.
    MAX_CONTENT_LENGTH = 64 * 1024
    # Pulling the nodes' snapshots (DESIGN §6): seconds to connect and to wait for the answer,
    # retries after a connection error or a 5xx with exponential backoff (base and ceiling, in
    # seconds, plus jitter), the largest body accepted, and how many nodes are pulled at once.
    PULL_CONNECT_TIMEOUT = 5.0
    PULL_READ_TIMEOUT = 30.0
    PULL_RETRIES = 3
    PULL_BACKOFF = 1.0
    PULL_BACKOFF_MAX = 30.0
    PULL_MAX_BYTES = 5 * 1024 * 1024
    PULL_WORKERS = 8
    # A node's default pull interval; a node is stale after STALE_FACTOR intervals without a
    # successful pull.
    DEFAULT_PULL_INTERVAL_MINUTES = 60
    STALE_FACTOR = 3
    # How often the scheduler looks for added, changed or removed nodes.
    SCHEDULER_SYNC_SECONDS = 60
    # Signals worth a look (hub.services.signals), from the aggregates alone. A poor or
    # near-poor rate that moved by more than SIGNAL_RATE_POINTS percentage points since the
    # previous period (communes with at least SIGNAL_MIN_HOUSEHOLDS households both times);
    # communes whose village meetings agreed unanimously on every one of at least
    # SIGNAL_UNANIMOUS_MIN_VOTES households; at least SIGNAL_CLASS_CHANGE_SHARE % of at least
    # SIGNAL_CLASS_CHANGE_MIN verified files whose verification changed the self-assessed class;
    # at least SIGNAL_OVERDUE_MIN files past their deadline; and communes with households but no
    # activity at all once the periodic review window (REVIEW_WINDOW, month-day) has been open
    # SIGNAL_QUIET_DAYS days.
    SIGNAL_RATE_POINTS = 3.0
    SIGNAL_MIN_HOUSEHOLDS = 30
    SIGNAL_UNANIMOUS_MIN_VOTES = 10
    SIGNAL_CLASS_CHANGE_SHARE = 30.0
    SIGNAL_CLASS_CHANGE_MIN = 10
    SIGNAL_OVERDUE_MIN = 10
    SIGNAL_QUIET_DAYS = 14
    REVIEW_WINDOW = ("09-01", "12-14")


ENVIRONMENTS = ProductionConfig, DevelopmentConfig, TestConfig = environments(Config)


def load_config(environ: Mapping[str, str] | None = None) -> BaseConfig:
    """The configuration GIAMNGHEO_ENV names (production when unset)."""
    return load_from(ENVIRONMENTS, environ)
