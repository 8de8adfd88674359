"""The settings both apps share, read from the GIAMNGHEO_* environment, and their three
environments (production, development, testing)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from shared.settings import (
    DEVELOPMENT_SECRET_KEY,
    TEST_SECRET_KEY,
    database_url,
    environment,
    metrics_allow,
    secret_key,
    switch,
    trusted_proxies,
)

# Strict-Transport-Security in production: browsers keep to HTTPS for a year once they saw it.
HSTS_MAX_AGE = 365 * 24 * 3600


class BaseConfig:
    """Settings every app and environment shares; the constructor reads the environment.

    An app subclasses it with its own settings, and reads its own variables in
    ``read_environment``.
    """

    # Which GIAMNGHEO_ENV this configuration is for, and the production session cookie's name.
    ENVIRONMENT = ""
    PRODUCTION_COOKIE_NAME = "__Host-giamngheo"
    DEFAULT_SECRET_KEY: str | None = None
    # pre-ping: a connection the database dropped (restart, failover) is replaced, not used.
    # hide_parameters: statements in logs and error messages never show the values (names, IDs).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # Pins the clock (tests, demos); None means the real time.
    FIXED_NOW = None
    # Paths (regular expressions) whose answers are never compressed, by the app or by nginx
    # (ansible/*.yml pass the same list to the nginx role): sign-in answers, pages where personal
    # data meets text a request put there (BREACH), bytes signed as they are. Each app adds its own.
    UNCOMPRESSED_PATHS: ClassVar[tuple[str, ...]] = (r"^/api/v1/auth/token$",)
    # Variables the test configuration assumes unless a test passes its own.
    TEST_ENVIRONMENT: ClassVar[dict[str, str]] = {}

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        # None means "a SQLite file in the instance folder", which only create_app knows.
        self.SQLALCHEMY_DATABASE_URI = database_url(env.get("GIAMNGHEO_DATABASE_URL"))
        self.SECRET_KEY = secret_key(
            env.get("GIAMNGHEO_SECRET_KEY"), default=self.DEFAULT_SECRET_KEY
        )
        # Reverse proxies in front (nginx: 1) whose X-Forwarded-For and -Proto are believed.
        self.TRUSTED_PROXIES = trusted_proxies(env.get("GIAMNGHEO_TRUSTED_PROXIES"))
        # Who may read /metrics (checked against the client's address as TRUSTED_PROXIES gives it).
        self.METRICS_ALLOW = metrics_allow(env.get("GIAMNGHEO_METRICS_ALLOW"))
        # gzip by the app itself; off behind nginx, which compresses (the playbooks set 0).
        self.COMPRESS_RESPONSES = switch(
            "GIAMNGHEO_COMPRESS", env.get("GIAMNGHEO_COMPRESS"), default=True
        )
        self.read_environment(env)

    def read_environment(self, env: Mapping[str, str]) -> None:
        """Read the app's own variables (none here)."""


def environments(
    config: type[BaseConfig],
) -> tuple[type[BaseConfig], type[BaseConfig], type[BaseConfig]]:
    """The production, development and testing configurations of an app's ``config``.

    Production takes every secret from the environment and is HTTPS only: its session cookie
    (``config.PRODUCTION_COOKIE_NAME``) is named "__Host-…", which browsers accept only over
    HTTPS, for this exact host and path /, so no other site or sub-domain can plant or read it.
    """

    def test_init(self: BaseConfig, environ: Mapping[str, str] | None = None) -> None:
        # The test suite passes the environment explicitly: a developer's shell cannot leak in.
        config.__init__(self, {**config.TEST_ENVIRONMENT, **(environ or {})})

    production = type(
        "ProductionConfig",
        (config,),
        {
            "__doc__": "Production: every secret comes from the environment; HTTPS only.",
            "__module__": config.__module__,
            "ENVIRONMENT": "production",
            "SESSION_COOKIE_NAME": config.PRODUCTION_COOKIE_NAME,
            "HSTS_MAX_AGE": HSTS_MAX_AGE,
        },
    )
    development = type(
        "DevelopmentConfig",
        (config,),
        {
            "__doc__": "Development on one's own machine over plain HTTP.",
            "ENVIRONMENT": "development",
            "__module__": config.__module__,
            "DEFAULT_SECRET_KEY": DEVELOPMENT_SECRET_KEY,
            "SESSION_COOKIE_SECURE": False,
        },
    )
    testing = type(
        "TestConfig",
        (config,),
        {
            "__doc__": "The test suite's configuration.",
            "ENVIRONMENT": "testing",
            "__module__": config.__module__,
            "__test__": False,  # a config, not a test class for pytest to collect
            "__init__": test_init,
            "TESTING": True,
            "DEFAULT_SECRET_KEY": TEST_SECRET_KEY,
            "SESSION_COOKIE_SECURE": False,
        },
    )
    return production, development, testing


def load_config(
    configs: Iterable[type[BaseConfig]], environ: Mapping[str, str] | None = None
) -> BaseConfig:
    """The one of ``configs`` GIAMNGHEO_ENV names (production when unset), read from
    ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    name = environment(env)
    return next(config for config in configs if name == config.ENVIRONMENT)(env)
