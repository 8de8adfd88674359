"""Node configuration, read from the GIAMNGHEO_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from shared.settings import (
    DEVELOPMENT_SECRET_KEY,
    TEST_SECRET_KEY,
    ConfigError,
    database_url,
    environment,
    province_code,
    secret_key,
    trusted_proxies,
)


class Config:
    """Settings every environment shares; the constructor reads the environment."""

    DEFAULT_SECRET_KEY: str | None = None
    # pre-ping: a connection the database dropped (restart, failover) is replaced, not used.
    # hide_parameters: statements in logs and error messages never show the values (names, IDs).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    API_TITLE = "giamngheo node"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # A resident may take an afternoon over the no-JS form: its CSRF token lasts a day (the
    # session cookie bounds it anyway); an expired one gets the page back, nothing lost.
    WTF_CSRF_TIME_LIMIT = 24 * 3600
    # Larger bodies get a 413: a household declaration is a few kilobytes.
    MAX_CONTENT_LENGTH = 256 * 1024
    # The yearly periodic review window (RULES §5), month-day, both ends included.
    PERIODIC_REVIEW_START = "09-01"
    PERIODIC_REVIEW_END = "12-14"
    # The review procedure (RULES §5): the chair decides within DECISION_DAYS of the start
    # (working days unless DECISION_IN_WORKING_DAYS is false); a posting lasts
    # POSTING_WORKING_DAYS; DISTRICT_OPINION_REQUIRED keeps the pre-2025 opinion step.
    DECISION_DAYS = 15
    DECISION_IN_WORKING_DAYS = True
    POSTING_WORKING_DAYS = 3
    DISTRICT_OPINION_REQUIRED = False
    # Pins the clock (tests, demos); None means the real time.
    FIXED_NOW = None

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        # None means "a SQLite file in the instance folder", which only create_app knows.
        self.SQLALCHEMY_DATABASE_URI = database_url(env.get("GIAMNGHEO_DATABASE_URL"))
        self.SECRET_KEY = secret_key(
            env.get("GIAMNGHEO_SECRET_KEY"), default=self.DEFAULT_SECRET_KEY
        )
        self.PROVINCE_CODE = province_code(env.get("GIAMNGHEO_PROVINCE"))
        # Reverse proxies in front (nginx: 1) whose X-Forwarded-For and -Proto are believed.
        self.TRUSTED_PROXIES = trusted_proxies(env.get("GIAMNGHEO_TRUSTED_PROXIES"))
        # Small-cell suppression in snapshots: counts from 1 to k-1 are withheld (off when unset).
        self.SUPPRESSION_K = _positive_int("GIAMNGHEO_SUPPRESSION_K", env)
        # The Ed25519 key that signs aggregate snapshots for the hub.
        self.SIGNING_KEY_FILE = env.get("GIAMNGHEO_SIGNING_KEY_FILE") or None


def _positive_int(name: str, env: Mapping[str, str]) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 2:
        raise ConfigError(f"{name} must be a whole number of 2 or more, not {raw!r}")
    return int(raw)


class ProductionConfig(Config):
    """Production: every secret comes from the environment; HTTPS only."""

    # "__Host-": browsers accept it only over HTTPS, for this exact host and path /, so no
    # other site or sub-domain can plant or read the session.
    SESSION_COOKIE_NAME = "__Host-giamngheo"
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
        super().__init__({"GIAMNGHEO_PROVINCE": "01", **(environ or {})})


CONFIGS: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestConfig,
}


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """The configuration GIAMNGHEO_ENV names (production when unset)."""
    env = os.environ if environ is None else environ
    return CONFIGS[environment(env)](env)
