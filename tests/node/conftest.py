"""Fixtures of the node's tests: the app on a migrated database, a client, a CLI runner, the
clock (those of tests/app_fixtures.py, for the node), signed-in officials (``login_as`` for
bearer headers, ``login_web`` for the web session) and a commune's ``team``.

Other node tests get a database session from ``db_session`` (or push ``app.app_context()`` and
use ``db.session``); whatever they write, even with a commit, is rolled back after the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import pytest
from flask import Flask
from flask.testing import FlaskClient
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
from tests.app_fixtures import *  # noqa: F403 (app, client, runner, db_session, fixed_clock, …)
from tests.app_fixtures import TEST_PASSWORD, AppUnderTest
from tests.node.officials_helpers import Team, make_team
from tests.node.review_helpers import NOW

# The units an official of each role gets unless the test names others (Hà Nội, commune 00070).
DEFAULT_UNITS = {
    "village_head": ("00070-001",),
    "commune_officer": ("00070",),
    "commune_chair": ("00070",),
    "province_officer": ("01",),
    "province_admin": ("01",),
}


@pytest.fixture(scope="session")
def app_under_test() -> AppUnderTest:
    """The node, for the shared fixtures (tests/app_fixtures.py); its clock stops at NOW."""
    return AppUnderTest("node", create_app, TestConfig, db, upgrade_database, now=NOW)


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


@pytest.fixture
def team(app: Flask, make_user: Callable[..., User], db_session: scoped_session) -> Team:
    """Commune 00070's officer, chair and village head (00070-001), each signed in on a client
    of their own (web) and over the API: ``team.officer.get(...)``, ``team.head.user_id``;
    ``team["officer"]`` is ``team.officer.bearer`` (see Team)."""
    return make_team(app, make_user, db_session)
