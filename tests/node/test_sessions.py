"""Officials' sessions end where they should, seen from the browser and the program: the cookie
from before sign-in never becomes a signed-in one, a cookie replayed after signing out is refused,
the admin's disable, password and second-factor resets end every web session and API token, and
an idle or too old session is refused.

Service-level cases (accounts.set_password, disable_user, expiry arithmetic) are in
test_accounts.py; the sign-in form's own cases in test_officials_auth.py; bearer tokens' sign-out
and expiry in test_auth_api.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from node.services import accounts
from tests.node.conftest import TEST_PASSWORD
from tests.node.officials_helpers import sign_in
from tests.node.review_helpers import NOW
from tests.session_helpers import cookie, form_token, replay

pytestmark = pytest.mark.usefixtures("fixed_clock")


def web_sign_in(client, username: str, token: str):
    data = {"username": username, "password": TEST_PASSWORD, "csrf_token": token}
    return client.post("/officials/login", data=data)


def signed_in_as(client, headers=None) -> str | None:
    """Whom the request is signed in as (username), or None when refused."""
    response = client.get("/api/v1/auth/me", headers=headers or {})
    return response.get_json()["username"] if response.status_code == 200 else None


def test_the_cookie_from_before_sign_in_is_not_signed_in_after_it(app, client, make_user):
    user = make_user("commune_officer")
    token = form_token(client, "/officials/login")
    before = cookie(app, client)

    assert web_sign_in(client, user.username, token).status_code == 303

    assert signed_in_as(client) == user.username
    assert cookie(app, client) != before
    replay(app, client, before)
    assert signed_in_as(client) is None
    assert client.get("/officials/").status_code == 303


def test_a_planted_signed_in_cookie_is_revoked_when_the_victim_signs_in(
    app, client, make_user, db_session
):
    attacker = sign_in(app, make_user, db_session, "commune_officer")
    victim = make_user("commune_officer")
    planted = cookie(app, attacker.client)
    replay(app, client, planted)
    # Signed in as the attacker, the victim's browser finds a form token on any page.
    token = form_token(client, "/officials/")

    assert web_sign_in(client, victim.username, token).status_code == 303

    assert signed_in_as(client) == victim.username
    # The planted cookie gives its holder neither the victim's session nor their own back.
    assert signed_in_as(attacker.client) is None
    replay(app, client, planted)
    assert signed_in_as(client) is None


def test_a_cookie_replayed_after_signing_out_is_refused(app, make_user, db_session):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    copied = cookie(app, officer.client)

    assert officer.post("/officials/logout").status_code == 303

    replay(app, officer.client, copied)
    assert officer.get("/officials/").status_code == 303
    assert signed_in_as(officer.client) is None
    # Signing out of the browser leaves the official's programs' tokens alone.
    assert signed_in_as(officer.client, officer.bearer) is not None


@pytest.mark.parametrize(
    ("action", "data"),
    [("disable", {}), ("password", {"password": "một mật khẩu mới"}), ("totp", {})],
)
def test_the_admin_ends_every_session_and_token_of_an_official(
    app, make_user, db_session, action, data
):
    admin = sign_in(app, make_user, db_session, "province_admin")
    officer = sign_in(app, make_user, db_session, "commune_officer")
    assert signed_in_as(officer.client) is not None
    assert signed_in_as(app.test_client(), officer.bearer) is not None

    assert admin.post(f"/admin/users/{officer.user_id}/{action}", data).status_code == 303

    assert officer.get("/officials/").status_code == 303
    assert signed_in_as(officer.client) is None
    assert signed_in_as(app.test_client(), officer.bearer) is None
    # The admin's own session goes on.
    assert signed_in_as(admin.client) is not None


def test_an_idle_web_session_is_refused(app, make_user, db_session, monkeypatch):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + accounts.WEB_IDLE_TIMEOUT)

    assert officer.get("/officials/").status_code == 303
    assert signed_in_as(officer.client) is None


def test_a_busy_web_session_still_ends_twelve_hours_after_sign_in(
    app, make_user, db_session, monkeypatch
):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    moment = NOW
    while moment + timedelta(hours=2) < NOW + accounts.WEB_MAX_AGE:
        moment += timedelta(hours=2)
        monkeypatch.setitem(app.config, "FIXED_NOW", moment)
        assert officer.get("/officials/").status_code == 200

    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + accounts.WEB_MAX_AGE)

    assert officer.get("/officials/").status_code == 303
