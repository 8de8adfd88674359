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


ENVIRONMENTS = ProductionConfig, DevelopmentConfig, TestConfig = environments(Config)


def load_config(environ: Mapping[str, str] | None = None) -> BaseConfig:
    """The configuration GIAMNGHEO_ENV names (production when unset)."""
    return load_from(ENVIRONMENTS, environ)
