"""Fixtures of the node's tests: the app on a migrated database, a client, a CLI runner,
and signed-in officials (``login_as`` for bearer headers, ``login_web`` for the web session).

Other node tests get a database session from ``db_session`` (or push ``app.app_context()`` and
use ``db.session``); whatever they write, even with a commit, is rolled back after the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import scoped_session

from node import create_app
from node.config import TestConfig
from node.context import now
from node.extensions import db
from node.models import User, Village
from node.services import accounts
from shared.web.auth import SESSION_KEY
from shared.web.database import upgrade_database

# The password of every official the fixtures make.
TEST_PASSWORD = "correct horse battery"
# The units an official of each role gets unless the test names others (Hà Nội, commune 00070).
DEFAULT_UNITS = {
    "village_head": ("00070-001",),
    "commune_officer": ("00070",),
    "commune_chair": ("00070",),
    "province_officer": ("01",),
    "province_admin": ("01",),
}


@pytest.fixture(scope="session")
def db_url(database_factory: Callable[[str], str]) -> str:
    """The node's test database on the backend under test, made empty for this run."""
    return database_factory("node")


@pytest.fixture(scope="session")
def migrated_app(db_url: str) -> Iterator[Flask]:
    """One node app per backend, its schema built once, by the migrations."""
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
    """The node app; everything a test writes to the database is rolled back afterwards."""
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
    """The node's db.session in an app context; requests made meanwhile share it."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the node app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for `giamngheo node` commands against the test app."""
    return app.test_cli_runner()


@pytest.fixture
def make_app(database_factory: Callable[[str], str]) -> Iterator[Callable[[], Flask]]:
    """Build node apps on new, empty databases (no schema yet); disposed afterwards."""
    apps: list[Flask] = []

    def make() -> Flask:
        url = database_factory("node_empty")
        apps.append(create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url})))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def make_user(db_session: scoped_session, app: Flask) -> Callable[..., User]:
    """Create officials: ``make_user(role, units=None, username=None, password=TEST_PASSWORD)``.

    Units default to DEFAULT_UNITS[role]; villages named that do not exist yet are created.
    The user is committed (inside the test's transaction) so requests see it.
    """
    numbers = itertools.count(1)

    def make(
        role: str = "commune_officer",
        units: Iterable[str] | None = None,
        *,
        username: str | None = None,
        password: str = TEST_PASSWORD,
        full_name: str | None = None,
    ) -> User:
        codes = list(DEFAULT_UNITS[role] if units is None else units)
        if role == "village_head":
            _ensure_villages(db_session, codes)
        user = accounts.create_user(
            db_session,
            username or f"{role.replace('_', '.')}{next(numbers)}",
            password,
            role,
            codes,
            app.config["PROVINCE_CODE"],
            full_name,
            now=now(),
        )
        db_session.commit()
        return user

    return make


def _ensure_villages(session: scoped_session, codes: list[str]) -> None:
    known = set(session.scalars(select(Village.code).where(Village.code.in_(codes))))
    for code in codes:
        if code not in known:
            session.add(Village(code=code, commune_code=code[:5], name=f"Thôn {code[6:]}"))
    session.flush()


@pytest.fixture
def login_as(make_user: Callable[..., User], db_session: scoped_session) -> Callable[..., dict]:
    """Sign a new official in over the API: ``login_as(role, units=None, **make_user_kwargs)``
    → ``{"Authorization": "Bearer …"}`` for ``client.get(..., headers=...)``."""

    def login(role: str = "commune_officer", units: Iterable[str] | None = None, **kwargs) -> dict:
        user = make_user(role, units, **kwargs)
        token = accounts.open_session(db_session, user, accounts.API, now=now())
        db_session.commit()
        return {"Authorization": f"Bearer {token}"}

    return login


@pytest.fixture
def login_web(
    make_user: Callable[..., User], db_session: scoped_session, client: FlaskClient
) -> Callable[..., str]:
    """Sign a new official in on ``client``'s cookie, as the web sign-in would:
    ``login_web(role, units=None, **make_user_kwargs)`` → the session token (to revoke it)."""

    def login(role: str = "commune_officer", units: Iterable[str] | None = None, **kwargs) -> str:
        user = make_user(role, units, **kwargs)
        token = accounts.open_session(db_session, user, accounts.WEB, now=now())
        db_session.commit()
        with client.session_transaction() as session:
            session[SESSION_KEY] = token
        return token

    return login
