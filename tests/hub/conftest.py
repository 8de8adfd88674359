"""Fixtures of the hub's tests: the app on a migrated database, a client, a CLI runner, the
clock (those of tests/app_fixtures.py, for the hub), central users, fake nodes and pulls.

Other hub tests get a database session from ``db_session`` (or push ``app.app_context()`` and
use ``db.session``); whatever they write, even with a commit, is rolled back after the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session

from hub import create_app
from hub.config import TestConfig
from hub.extensions import db
from hub.models import Node, User
from hub.scheduler import pull_now
from hub.services import accounts
from hub.services.nodes import TokenCipher, register_node
from shared.web.auth import SESSION_KEY
from shared.web.database import upgrade_database
from tests.app_fixtures import *  # noqa: F403 (app, client, runner, db_session, fixed_clock, …)
from tests.app_fixtures import TEST_PASSWORD, AppUnderTest
from tests.hub.fakenode import FakeNode

# Where fixed_clock stops the hub's clock unless a test says otherwise.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def app_under_test() -> AppUnderTest:
    """The hub, for the shared fixtures (tests/app_fixtures.py); its clock stops at NOW."""
    return AppUnderTest("hub", create_app, TestConfig, db, upgrade_database, now=NOW)


@pytest.fixture
def make_user(db_session: scoped_session) -> Callable[..., User]:
    """Create central users: ``make_user(role="central_viewer", username=None)``; committed."""
    numbers = itertools.count(1)

    def make(
        role: str = "central_viewer", *, username: str | None = None, password: str = TEST_PASSWORD
    ) -> User:
        user = accounts.create_user(
            db_session,
            username or f"{role.replace('_', '.')}{next(numbers)}",
            password,
            role,
            now=datetime.now(UTC),
        )
        db_session.commit()
        return user

    return make


@pytest.fixture
def api_headers(make_user: Callable[..., User], db_session: scoped_session) -> dict[str, str]:
    """``Authorization`` of a central viewer's bearer token."""
    user = make_user()
    token = accounts.open_session(db_session, user, accounts.API, now=datetime.now(UTC))
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def signed_in(make_user: Callable[..., User], db_session: scoped_session, client: FlaskClient):
    """``client`` signed in on the web as a central viewer; returns the user."""
    user = make_user()
    token = accounts.open_session(db_session, user, accounts.WEB, now=datetime.now(UTC))
    db_session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
    return user


@pytest.fixture
def fast_pulls(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """Pull settings for tests: short timeouts, quick retries."""
    for name, value in {
        "PULL_CONNECT_TIMEOUT": 2.0,
        "PULL_READ_TIMEOUT": 1.0,
        "PULL_RETRIES": 2,
        "PULL_BACKOFF": 0.01,
        "PULL_BACKOFF_MAX": 0.05,
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return app


@pytest.fixture(scope="session")
def fake_nodes() -> Iterator[dict[str, FakeNode]]:
    """Fake nodes of Hà Nội (01), Lai Châu (12) and TP Hồ Chí Minh (79), running for the session."""
    nodes = {code: FakeNode(code) for code in ("01", "12", "79")}
    yield nodes
    for node in nodes.values():
        node.stop()


@pytest.fixture
def nodes(fake_nodes: dict[str, FakeNode]) -> dict[str, FakeNode]:
    """The fake nodes, behaving well again for this test."""
    for node in fake_nodes.values():
        node.reset()
    return fake_nodes


@pytest.fixture
def register(db_session: scoped_session, app: Flask) -> Callable[..., Node]:
    """Register a node in the hub (committed): ``register(fake_node, **changes)``."""

    def add(
        node: FakeNode | None = None,
        *,
        province_code: str | None = None,
        url: str | None = None,
        token: str | None = None,
        public_key: str | None = None,
        interval_minutes: int | None = None,
    ) -> Node:
        registered, _created = register_node(
            db_session,
            TokenCipher(app.config["SECRET_KEY"]),
            province_code=province_code or node.province_code,
            url=url or node.url,
            token=token or node.token,
            public_key=public_key or node.public_key,
            interval_minutes=interval_minutes,
        )
        db_session.commit()
        return registered

    return add


@pytest.fixture
def pull(fast_pulls: Flask, db_session: scoped_session) -> Callable[..., list]:
    """Pull now, as `giamngheo hub pull-now` does: ``pull(provinces=None, period=None)``."""

    def run(provinces: list[str] | None = None, period: int | None = None) -> list:
        return pull_now(provinces=provinces, period=period)

    return run
