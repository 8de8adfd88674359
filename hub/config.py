"""Hub configuration, read from the GIAMNGHEO_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from shared.settings import (
    DEVELOPMENT_SECRET_KEY,
    TEST_SECRET_KEY,
    database_url,
    environment,
    secret_key,
    trusted_proxies,
)


class Config:
    """Settings every environment shares; the constructor reads the environment."""

    DEFAULT_SECRET_KEY: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    API_TITLE = "giamngheo hub"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
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
    # Pins the clock (tests, demos); None means the real time.
    FIXED_NOW = None

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        # None means "a SQLite file in the instance folder", which only create_app knows.
        self.SQLALCHEMY_DATABASE_URI = database_url(env.get("GIAMNGHEO_DATABASE_URL"))
        self.SECRET_KEY = secret_key(
            env.get("GIAMNGHEO_SECRET_KEY"), default=self.DEFAULT_SECRET_KEY
        )
        # Reverse proxies in front (nginx: 1) whose X-Forwarded-For and -Proto are believed.
        self.TRUSTED_PROXIES = trusted_proxies(env.get("GIAMNGHEO_TRUSTED_PROXIES"))


class ProductionConfig(Config):
    """Production: every secret comes from the environment; HTTPS only."""

    # "__Host-": browsers accept it only over HTTPS, for this exact host and path /, so no
    # other site or sub-domain can plant or read the session.
    SESSION_COOKIE_NAME = "__Host-giamngheo-hub"
    # Strict-Transport-Security: browsers keep to HTTPS for a year once they have seen it.
    HSTS_MAX_AGE = 365 * 24 * 3600


class DevelopmentConfig(Config):
    """Development on one's own machine over plain HTTP."""

    DEFAULT_SECRET_KEY = DEVELOPMENT_SECRET_KEY
    SESSION_COOKIE_SECURE = False


class TestConfig(Config):
    """The test suite: pass the environment explicitly so a developer's shell cannot leak in."""

    __test__ = False  # a config, not a test class for pytest to collect
    TESTING = True
    DEFAULT_SECRET_KEY = TEST_SECRET_KEY
    SESSION_COOKIE_SECURE = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ or {})


CONFIGS: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestConfig,
}


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """The configuration GIAMNGHEO_ENV names (production when unset)."""
    env = os.environ if environ is None else environ
    return CONFIGS[environment(env)](env)
