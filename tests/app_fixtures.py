"""The fixtures both apps' tests share, defined once: tests/node/conftest.py and
tests/hub/conftest.py import them all (``__all__``), and each says which app they serve with one
session fixture, ``app_under_test`` (an AppUnderTest).

For that app, on each backend under test (``database_factory``, tests/conftest.py):

- ``db_url`` (session): the app's test database, made empty for this run;
- ``migrated_app`` (session): one app, its schema built once by the migrations, its sessions
  joining an outer transaction through a SAVEPOINT;
- ``app``: that app, everything the test writes rolled back afterwards, even what the code under
  test commits (a commit only releases the SAVEPOINT);
- ``db_session``: the app's ``db.session`` in an app context; requests made meanwhile share it;
- ``client``, ``runner``: a test client, a runner for the app's CLI commands;
- ``make_app``: ``make_app()`` builds apps on new, empty databases (no schema; migration tests);
- ``fixed_clock``: the app's clock stopped, at ``AppUnderTest.now`` unless the test, its class or
  its module is marked ``@pytest.mark.now(moment)``; returns a Clock. Opt in per module with
  ``pytestmark = pytest.mark.usefixtures("fixed_clock")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import scoped_session

# What each app's conftest takes with `from tests.app_fixtures import *`: the fixtures.
__all__ = [
    "app",
    "client",
    "db_session",
    "db_url",
    "fixed_clock",
    "make_app",
    "migrated_app",
    "runner",
]

# The password of every official or central user the fixtures make.
TEST_PASSWORD = "correct horse battery"
# argon2id at its cheapest: the real parameters cost ~0.1 s a hash, far too slow for hundreds of
# test logins (each app's test_accounts checks the production parameters).
FAST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass(frozen=True)
class AppUnderTest:
    """What the shared fixtures need to know of one app."""

    # Names its test databases ("node" → …_node, …_node_empty).
    name: str
    create_app: Callable[[Any], Flask]
    # The app's TestConfig: test_config({"GIAMNGHEO_DATABASE_URL": url}).
    test_config: Callable[[dict[str, str]], Any]
    # The app's Flask-SQLAlchemy extension.
    db: Any
    # Brings the database of the current app context to the latest migration.
    upgrade_database: Callable[[], None]
    # Where fixed_clock stops the clock unless a `now` marker says otherwise.
    now: datetime

    def new_app(self, url: str) -> Flask:
        return self.create_app(self.test_config({"GIAMNGHEO_DATABASE_URL": url}))


@pytest.fixture(scope="session")
def db_url(app_under_test: AppUnderTest, database_factory: Callable[[str], str]) -> str:
    """The app's test database on the backend under test, made empty for this run."""
    return database_factory(app_under_test.name)


@pytest.fixture(scope="session")
def migrated_app(app_under_test: AppUnderTest, db_url: str) -> Iterator[Flask]:
    """One app per backend, its schema built once, by the migrations."""
    db = app_under_test.db
    app = app_under_test.new_app(db_url)
    with app.app_context():
        app_under_test.upgrade_database()
        # A session on a connection that is already in a transaction then works inside a
        # SAVEPOINT, so a commit in the code under test never ends the test's transaction.
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(app_under_test: AppUnderTest, migrated_app: Flask) -> Iterator[Flask]:
    """The app; everything a test writes to the database is rolled back afterwards."""
    with migrated_app.app_context():
        engines = app_under_test.db.engines
    engine = engines[None]
    with engine.connect() as connection:
        transaction = connection.begin()
        # Every session in this test, the requests' included, now runs on this connection.
        engines[None] = connection
        try:
            yield migrated_app
        finally:
            engines[None] = engine
            transaction.rollback()


@pytest.fixture
def db_session(app_under_test: AppUnderTest, app: Flask) -> Iterator[scoped_session]:
    """The app's db.session in an app context; requests made meanwhile share it."""
    with app.app_context():
        yield app_under_test.db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for the app's `giamngheo node|hub` commands against the test app."""
    return app.test_cli_runner()


@pytest.fixture
def make_app(
    app_under_test: AppUnderTest, database_factory: Callable[[str], str]
) -> Iterator[Callable[[], Flask]]:
    """Build apps on new, empty databases (no schema yet); disposed afterwards."""
    apps: list[Flask] = []

    def make() -> Flask:
        apps.append(app_under_test.new_app(database_factory(f"{app_under_test.name}_empty")))
        return apps[-1]

    yield make
    for made in apps:
        with made.app_context():
            app_under_test.db.engine.dispose()


class Clock:
    """The app's stopped clock (``app.config["FIXED_NOW"]``), as it was again after the test."""

    def __init__(self, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
        self._app = app
        self._monkeypatch = monkeypatch

    @property
    def now(self) -> datetime:
        """The moment the app's clock shows."""
        return self._app.config["FIXED_NOW"]

    def set(self, moment: datetime) -> None:
        """Stop the clock at ``moment``."""
        self._monkeypatch.setitem(self._app.config, "FIXED_NOW", moment)

    def advance(self, delta: timedelta) -> None:
        """Move the clock on by ``delta``."""
        self.set(self.now + delta)


@pytest.fixture
def fixed_clock(
    request: pytest.FixtureRequest,
    app_under_test: AppUnderTest,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> Clock:
    """The app's clock stopped at the closest ``@pytest.mark.now(moment)``, else at
    ``AppUnderTest.now``; a test may move it (``set``, ``advance``)."""
    marker = request.node.get_closest_marker("now")
    clock = Clock(app, monkeypatch)
    clock.set(marker.args[0] if marker else app_under_test.now)
    return clock
