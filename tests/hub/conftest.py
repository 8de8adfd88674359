"""Fixtures of the hub's tests: the app on a migrated database, a client, a CLI runner.

Other hub tests get a database session from ``db_session`` (or push ``app.app_context()`` and
use ``db.session``); whatever they write, even with a commit, is rolled back after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import scoped_session

from hub import create_app
from hub.config import TestConfig
from hub.database import upgrade_database
from hub.extensions import db


@pytest.fixture(scope="session")
def db_url(database_factory: Callable[[str], str]) -> str:
    """The hub's test database on the backend under test, made empty for this run."""
    return database_factory("hub")


@pytest.fixture(scope="session")
def migrated_app(db_url: str) -> Iterator[Flask]:
    """One hub app per backend, its schema built once, by the migrations."""
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": db_url}))
    with app.app_context():
        upgrade_database()
        # A session on a connection that is already in a transaction then works inside a
        # SAVEPOINT, so a commit in the code under test never ends the test's transaction.
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    """The hub app; everything a test writes to the database is rolled back afterwards."""
    with migrated_app.app_context():
        engines = db.engines
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
def db_session(app: Flask) -> Iterator[scoped_session]:
    """The hub's db.session in an app context; requests made meanwhile share it."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the hub app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for `giamngheo hub` commands against the test app."""
    return app.test_cli_runner()


@pytest.fixture
def make_app(database_factory: Callable[[str], str]) -> Iterator[Callable[[], Flask]]:
    """Build hub apps on new, empty databases (no schema yet); disposed afterwards."""
    apps: list[Flask] = []

    def make() -> Flask:
        url = database_factory("hub_empty")
        apps.append(create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url})))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()
