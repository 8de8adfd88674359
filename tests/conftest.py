"""Fixtures every app's tests share: empty databases on each backend under test.

The DB-touching tests run on SQLite always, and on PostgreSQL too when
GIAMNGHEO_TEST_DATABASE_URL points at a server where that user may create databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from shared.settings import database_url
from shared.web import accounts
from tests.app_fixtures import FAST_PASSWORD_HASHER

POSTGRES_URL = database_url(os.environ.get("GIAMNGHEO_TEST_DATABASE_URL"))
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "now(moment): where fixed_clock stops the app's clock (tests/app_fixtures.py)"
    )


@pytest.fixture(scope="session", params=BACKENDS)
def database_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], str]]:
    """Make empty databases on one backend: factory(name) → URL; all removed at the end.

    PostgreSQL databases get a random per-run name, so concurrent runs (two CI jobs, a
    developer's terminal) never share one.
    """
    if request.param == "sqlite":
        directory = tmp_path_factory.mktemp("sqlite")
        yield lambda name: f"sqlite:///{directory / f'{name}-{uuid.uuid4().hex[:8]}.db'}"
        return

    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    created: list[str] = []

    def make(name: str) -> str:
        database = f"giamngheo_test_{uuid.uuid4().hex[:12]}_{name}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
        created.append(database)
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    yield make
    with admin.connect() as connection:
        for database in created:
            # FORCE ends connections a failed test may have left open (PostgreSQL 13+).
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its cheapest: the real parameters cost ~0.1 s a hash, far too slow for
    hundreds of test logins (tests/shared/test_accounts.py checks the production parameters)."""
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", FAST_PASSWORD_HASHER)
