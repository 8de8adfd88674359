"""Central users' sessions end where they should, seen from the browser and the program: the
cookie from before sign-in never becomes a signed-in one, a cookie replayed after signing out is
refused, `hub disable-user` and `hub set-password` end every web session and API token, and an
idle or too old session, or an old token, is refused.

Service-level expiry is in test_accounts.py; a bearer token's sign-out in test_api.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.cli import cli
from hub.models import User, UserSession
from hub.services import accounts
from shared.web.auth import SESSION_KEY
from tests.hub.conftest import NOW, TEST_PASSWORD
from tests.session_helpers import cookie, form_token, replay

NEW_PASSWORD = "a new long passphrase"


pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def central(app, make_user, db_session):
    """``central(username=None)``: a central viewer signed in on a new client, web and API."""

    def make(username: str | None = None):
        user = make_user(username=username)
        web = accounts.open_session(db_session, user, accounts.WEB, now=NOW)
        api = accounts.open_session(db_session, user, accounts.API, now=NOW)
        db_session.commit()
        client = app.test_client()
        replay(app, client, _signed_cookie(app, web))
        return user, client, {"Authorization": f"Bearer {api}"}

    return make


def _signed_cookie(app, token: str) -> str:
    """The session cookie the hub sets for a signed-in browser holding ``token``."""
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
    return cookie(app, client)


def web_sign_in(client, username: str, token: str, password: str = TEST_PASSWORD):
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data)


def signed_in(client, headers=None) -> bool:
    """Whether the API takes the request as a central user's."""
    return client.get("/api/v1/nodes", headers=headers or {}).status_code == 200


def on_the_dashboard(client) -> bool:
    """Whether the dashboard shows, rather than sending the browser to sign in."""
    return client.get("/dashboard/").status_code == 200


def live_sessions(db_session, user) -> list[UserSession]:
    db_session.expire_all()
    return db_session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ).all()


def test_the_cookie_from_before_sign_in_is_not_signed_in_after_it(app, client, make_user):
    user = make_user()
    token = form_token(client, "/login")
    before = cookie(app, client)

    assert web_sign_in(client, user.username, token).status_code == 302

    assert on_the_dashboard(client)
    assert cookie(app, client) != before
    replay(app, client, before)
    assert not on_the_dashboard(client)
    assert not signed_in(client)


def test_a_planted_signed_in_cookie_is_revoked_when_the_victim_signs_in(
    app, client, central, make_user, db_session
):
    attacker, attacker_client, _headers = central()
    victim = make_user()
    planted = cookie(app, attacker_client)
    replay(app, client, planted)
    # Signed in as the attacker, the victim's browser finds a form token on the dashboard.
    token = form_token(client, "/dashboard/")

    assert web_sign_in(client, victim.username, token).status_code == 302

    assert signed_in(client)
    assert [s.kind for s in live_sessions(db_session, victim)] == ["web"]
    # The planted cookie gives its holder neither the victim's session nor their own back.
    assert not signed_in(attacker_client)
    assert [s.kind for s in live_sessions(db_session, attacker)] == ["api"]


def test_a_cookie_replayed_after_signing_out_is_refused(app, central, db_session):
    user, client, headers = central()
    copied = cookie(app, client)

    token = form_token(client, "/dashboard/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302

    replay(app, client, copied)
    assert not on_the_dashboard(client)
    assert not signed_in(client)
    # Signing out of the browser leaves the user's programs' tokens alone.
    assert signed_in(app.test_client(), headers)
    assert [s.kind for s in live_sessions(db_session, user)] == ["api"]


def test_disable_user_ends_every_session_and_token(app, central, runner, db_session):
    user, client, headers = central()
    _other, other_client, other_headers = central()

    result = runner.invoke(cli, ["disable-user", user.username.upper()])

    assert result.exit_code == 0, result.output
    assert "2 live session(s) ended" in result.output
    assert not on_the_dashboard(client)
    assert not signed_in(app.test_client(), headers)
    assert live_sessions(db_session, user) == []
    browser = app.test_client()
    assert web_sign_in(browser, user.username, form_token(browser, "/login")).status_code == 401
    # Nobody else is signed out.
    assert on_the_dashboard(other_client)
    assert signed_in(app.test_client(), other_headers)


def test_enable_user_lets_a_disabled_user_sign_in_again(app, central, runner, db_session):
    user, _client, _headers = central()
    assert runner.invoke(cli, ["disable-user", user.username]).exit_code == 0
    browser = app.test_client()
    assert web_sign_in(browser, user.username, form_token(browser, "/login")).status_code == 401

    result = runner.invoke(cli, ["enable-user", user.username])

    assert result.exit_code == 0, result.output
    assert f"Enabled user {user.username}" in result.output
    browser = app.test_client()
    assert web_sign_in(browser, user.username, form_token(browser, "/login")).status_code == 302
    assert on_the_dashboard(browser)
    # An unknown name is an error, exit code 2, and changes nothing.
    assert runner.invoke(cli, ["enable-user", "nobody-here"]).exit_code == 2


def test_set_password_ends_every_session_and_token(app, central, runner, db_session):
    user, client, headers = central()
    db_session.get(User, user.id).locked_until = NOW + timedelta(minutes=5)
    db_session.commit()

    result = runner.invoke(cli, ["set-password", user.username], input=f"{NEW_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert not on_the_dashboard(client)
    assert not signed_in(app.test_client(), headers)
    assert live_sessions(db_session, user) == []
    # The old password is refused, the new one signs in (the lock is lifted too).
    browser = app.test_client()
    assert web_sign_in(browser, user.username, form_token(browser, "/login")).status_code == 401
    answer = web_sign_in(browser, user.username, form_token(browser, "/login"), NEW_PASSWORD)
    assert answer.status_code == 302
    assert on_the_dashboard(browser)


def test_set_password_refuses_a_weak_one_and_ends_nothing(app, central, runner, db_session):
    user, client, headers = central()

    result = runner.invoke(cli, ["set-password", user.username], input="short\n")

    assert result.exit_code == 2
    assert "password" in result.output
    assert on_the_dashboard(client)
    assert signed_in(app.test_client(), headers)


@pytest.mark.parametrize("command", ["disable-user", "set-password"])
def test_an_unknown_user_is_exit_code_2(runner, command):
    result = runner.invoke(cli, [command, "nobody"], input=f"{NEW_PASSWORD}\n")

    assert result.exit_code == 2
    assert "No central user is called 'nobody'" in result.output


def test_an_idle_web_session_is_refused(app, central, monkeypatch):
    _user, client, _headers = central()
    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + accounts.WEB_IDLE_TIMEOUT)

    assert not on_the_dashboard(client)
    assert not signed_in(client)


def test_a_busy_web_session_still_ends_twelve_hours_after_sign_in(app, central, monkeypatch):
    _user, client, _headers = central()
    moment = NOW
    while moment + timedelta(hours=2) < NOW + accounts.WEB_MAX_AGE:
        moment += timedelta(hours=2)
        monkeypatch.setitem(app.config, "FIXED_NOW", moment)
        assert on_the_dashboard(client)

    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + accounts.WEB_MAX_AGE)

    assert not on_the_dashboard(client)


def test_an_api_token_ends_twelve_hours_after_it_was_issued(app, central, monkeypatch):
    _user, _client, headers = central()
    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + accounts.API_TOKEN_MAX_AGE)

    response = app.test_client().get("/api/v1/nodes", headers=headers)

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "target",
    ["/dashboard/\r\nSet-Cookie: planted=1", "/dashboard/\n", "//evil.example/", "https://evil.example/",
     "/\\evil.example", "/dashboard/\x7f"],
)  # fmt: skip
def test_sign_in_never_follows_a_dangerous_next(client, make_user, target):
    user = make_user()
    token = form_token(client, "/login")

    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": TEST_PASSWORD,
            "csrf_token": token,
            "next": target,
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    assert "planted" not in response.headers.get("Set-Cookie", "")
