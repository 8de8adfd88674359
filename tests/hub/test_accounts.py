"""Central users' accounts: argon2id hashes, the lockout kept in the database, sessions."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy.orm import Session

from hub.extensions import db
from hub.models import User
from hub.services import accounts
from shared.web import accounts as account_core
from shared.web.database import upgrade_database
from tests.hub.conftest import TEST_PASSWORD

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_passwords_are_hashed_with_argon2id(make_user):
    user = make_user()

    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_production_parameters_are_the_library_defaults(monkeypatch):
    monkeypatch.undo()  # the autouse fixture's cheap hasher goes: this is the module's own

    assert account_core.PASSWORD_HASHER.type is Type.ID
    assert account_core.PASSWORD_HASHER.time_cost == PasswordHasher().time_cost
    assert account_core.PASSWORD_HASHER.memory_cost == PasswordHasher().memory_cost


def test_the_lock_lasts_fifteen_minutes(db_session, make_user):
    user = make_user()
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(accounts.AuthenticationFailed):
            accounts.authenticate(db_session, user.username, "wrong password", now=NOW)

    with pytest.raises(accounts.AuthenticationFailed):
        accounts.authenticate(db_session, user.username, TEST_PASSWORD, now=NOW)
    later = NOW + accounts.LOCKOUT + timedelta(seconds=1)
    signed_in = accounts.authenticate(db_session, user.username, TEST_PASSWORD, now=later)

    assert signed_in.id == user.id
    assert signed_in.failed_login_count == 0
    assert signed_in.locked_until is None


def test_a_disabled_user_cannot_sign_in_nor_use_a_token(db_session, make_user):
    user = make_user()
    token = accounts.open_session(db_session, user, accounts.API, now=NOW)
    user.active = False
    db_session.flush()

    with pytest.raises(accounts.AuthenticationFailed):
        accounts.authenticate(db_session, user.username, TEST_PASSWORD, now=NOW)
    assert accounts.user_for_token(db_session, token, kind=accounts.API, now=NOW) is None


def test_tokens_expire_and_are_stored_hashed(db_session, make_user):
    user = make_user()
    token = accounts.open_session(db_session, user, accounts.API, now=NOW)

    assert accounts.user_for_token(db_session, token, kind=accounts.API, now=NOW).user_id == user.id
    assert user.sessions[0].token_hash != token
    assert len(user.sessions[0].token_hash) == 64
    expired = NOW + accounts.API_TOKEN_MAX_AGE + timedelta(seconds=1)
    assert accounts.user_for_token(db_session, token, kind=accounts.API, now=expired) is None
    # An API token is not a web session, nor the other way round.
    assert accounts.user_for_token(db_session, token, kind=accounts.WEB, now=NOW) is None


def test_a_web_session_slides_but_ends_after_twelve_hours(db_session, make_user):
    user = make_user()
    token = accounts.open_session(db_session, user, accounts.WEB, now=NOW)
    moment = NOW
    for _ in range(5):  # used every 2 hours: stays alive…
        moment += timedelta(hours=2)
        assert accounts.user_for_token(db_session, token, kind=accounts.WEB, now=moment)

    # …until 12 hours after sign-in, however it is used.
    end = NOW + accounts.WEB_MAX_AGE + timedelta(minutes=1)
    assert accounts.user_for_token(db_session, token, kind=accounts.WEB, now=end) is None


def test_usernames_are_case_insensitive(db_session, make_user):
    make_user(username="Chi.Tran")

    user = accounts.authenticate(db_session, "CHI.TRAN", TEST_PASSWORD, now=NOW)

    assert user.username == "chi.tran"


def test_a_burst_of_guesses_gets_no_more_tries_than_the_lock_allows(make_app, monkeypatch):
    """Many sign-ins at once, each with its own connection: only MAX_FAILED_LOGINS of them may
    reach the password check before the account locks (the count is taken before the check)."""
    app = make_app()
    with app.app_context():
        upgrade_database()
        user = accounts.create_user(
            db.session, "burst.user", TEST_PASSWORD, "central_viewer", now=NOW
        )
        db.session.commit()
        stored_hash, engine = user.password_hash, db.engine
    checked: list[str] = []
    guard = threading.Lock()
    real_verify = account_core._verify_password

    def slow_verify(password_hash: str, password: str) -> bool:
        if password_hash == stored_hash:
            with guard:
                checked.append(password)
        time.sleep(0.05)  # the slow hash, where the guesses used to overtake each other
        return real_verify(password_hash, password)

    monkeypatch.setattr(account_core, "_verify_password", slow_verify)
    guesses = [f"wrong guess {number}" for number in range(12)]
    start = threading.Barrier(len(guesses))

    errors: list[BaseException] = []

    def guess(password: str) -> None:
        try:
            # As the sign-in's POST: SQLite then takes its write lock when the transaction
            # begins (shared.web.database.configure_sqlite), as in production.
            with (
                app.test_request_context("/api/v1/auth/token", method="POST"),
                Session(engine) as session,
            ):
                start.wait()
                with contextlib.suppress(accounts.AuthenticationFailed):
                    accounts.authenticate(session, "burst.user", password, now=NOW)
                session.commit()
        except BaseException as error:  # reported below: a thread's error must fail the test
            errors.append(error)

    threads = [threading.Thread(target=guess, args=(password,)) for password in guesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(checked) <= accounts.MAX_FAILED_LOGINS
    with Session(engine) as session:
        assert session.get(User, user.id).locked_until is not None
