"""Signing officials in: /api/v1/auth, bearer tokens, web sessions, official_required."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
from flask import session
from itsdangerous import URLSafeTimedSerializer

from node import auth
from node.models import User, UserSession
from node.services import accounts, scopes
from shared.web.auth import BEARER_SCHEME, SESSION_KEY, BearerUnauthorized
from tests.node.conftest import TEST_PASSWORD

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


pytestmark = [pytest.mark.usefixtures("fixed_clock"), pytest.mark.now(NOW)]


def sign_in(client, username, password=TEST_PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token", json={"username": username, "password": password, **extra}
    )


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def csrf_headers(app, client):
    """What a page's script sends: the CSRF token of the session, signed as Flask-WTF does."""
    raw = secrets.token_hex(20)
    with client.session_transaction() as browser_session:
        browser_session["csrf_token"] = raw
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return {"X-CSRFToken": signed}


# --- POST /api/v1/auth/token ----------------------------------------------------------------


def test_token_for_good_credentials(client, make_user, db_session):
    make_user("commune_officer", ["00070"], username="canbo.xa")

    response = sign_in(client, "CanBo.Xa")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "role", "units"}
    assert body["role"] == "commune_officer"
    assert body["units"] == ["00070"]
    assert datetime.fromisoformat(body["expires_at"]) == NOW + accounts.API_TOKEN_MAX_AGE
    assert response.headers["Cache-Control"] == "no-store"
    me = client.get("/api/v1/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert db_session.scalar(sa.select(UserSession.kind)) == "api"


def test_wrong_password_and_unknown_user_get_the_same_401(client, make_user):
    make_user(username="canbo.xa")

    wrong = sign_in(client, "canbo.xa", "not the password")
    unknown = sign_in(client, "nobody", TEST_PASSWORD)

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert wrong.get_json() == unknown.get_json()
    error = wrong.get_json()["error"]
    assert error["code"] == "invalid_credentials"
    assert set(error["fields"]) == {"password"}


def test_locked_account_answers_like_a_wrong_password(client, make_user, db_session):
    user = make_user(username="canbo.xa")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert sign_in(client, "canbo.xa", "not the password").status_code == 401
    wrong = sign_in(client, "canbo.xa", "not the password")

    right = sign_in(client, "canbo.xa", TEST_PASSWORD)

    assert right.status_code == 401
    assert right.get_json() == wrong.get_json()
    # The failures were committed although each request answered with an error.
    db_session.expire_all()
    locked_until = db_session.scalar(sa.select(User.locked_until).where(User.id == user.id))
    assert accounts.as_utc(locked_until) == NOW + accounts.LOCKOUT


def test_locked_account_signs_in_after_fifteen_minutes(client, make_user, app, monkeypatch):
    make_user(username="canbo.xa")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        sign_in(client, "canbo.xa", "not the password")
    assert sign_in(client, "canbo.xa").status_code == 401

    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + accounts.LOCKOUT)

    assert sign_in(client, "canbo.xa").status_code == 200


def test_totp_is_asked_for_checked_and_accepted(client, make_user, db_session):
    user = make_user(username="canbo.xa")
    secret = pyotp.parse_uri(accounts.start_totp_enrolment(db_session, user)).secret
    accounts.confirm_totp(
        db_session,
        user,
        pyotp.TOTP(secret).at(NOW - timedelta(minutes=5)),
        now=NOW - timedelta(minutes=5),
    )
    db_session.commit()

    missing = sign_in(client, "canbo.xa")
    wrong = sign_in(client, "canbo.xa", totp="000000")
    right = sign_in(client, "canbo.xa", totp=pyotp.TOTP(secret).at(NOW))

    assert missing.status_code == 401
    assert missing.get_json()["error"]["code"] == "totp_required"
    assert set(missing.get_json()["error"]["fields"]) == {"totp"}
    assert wrong.status_code == 401
    assert set(wrong.get_json()["error"]["fields"]) == {"totp"}
    assert right.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"username": "canbo.xa"},
        {"password": TEST_PASSWORD},
        {"username": "canbo.xa", "password": TEST_PASSWORD, "role": "province_admin"},
        {"username": "canbo.xa", "password": "x" * 2000},
    ],
)
def test_malformed_sign_in_is_a_422(client, make_user, body):
    make_user(username="canbo.xa")

    response = client.post("/api/v1/auth/token", json=body)

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


# --- bearer tokens on a guarded endpoint ------------------------------------------------------


def test_me_with_a_good_token(client, login_as):
    headers = login_as("village_head", ["00070-001", "00070-002"])

    response = client.get("/api/v1/auth/me", headers=headers)

    assert response.status_code == 200
    body = response.get_json()
    assert body["role"] == "village_head"
    assert body["level"] == "village"
    assert body["units"] == ["00070-001", "00070-002"]
    assert body["username"].startswith("village.head")


def test_me_without_a_token_is_a_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="giamngheo"'
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ("Bearer not-a-token", "invalid_token"),
        ("Bearer ", "invalid_request"),
        ("Basic dXNlcjpwYXNz", "invalid_request"),
    ],
)
def test_me_with_a_bad_token_is_a_401(client, login_as, header, error):
    login_as()

    response = client.get("/api/v1/auth/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert f'error="{error}"' in response.headers["WWW-Authenticate"]


def test_expired_token_is_refused(client, login_as, app, monkeypatch):
    headers = login_as()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200

    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + accounts.API_TOKEN_MAX_AGE)

    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_logout_revokes_the_token(client, login_as):
    headers = login_as()

    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204

    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 401


def test_logout_leaves_other_tokens_alone(client, make_user, db_session):
    user = make_user()
    first, second = (accounts.open_session(db_session, user, "api", now=NOW) for _ in "ab")
    db_session.commit()

    client.post("/api/v1/auth/logout", headers=bearer(first))

    assert client.get("/api/v1/auth/me", headers=bearer(second)).status_code == 200


def test_disabling_the_user_refuses_the_token_at_the_next_request(client, make_user, db_session):
    user = make_user()
    token = accounts.open_session(db_session, user, "api", now=NOW)
    db_session.commit()
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200

    accounts.disable_user(db_session, user, now=NOW)
    db_session.commit()

    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


def test_a_web_session_token_is_no_bearer_token(app, login_web):
    token = login_web()

    without_cookie = app.test_client()
    assert without_cookie.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


# --- official_required -------------------------------------------------------------------------


@auth.official_required("province_admin")
def admin_only():
    return auth.require_official().username


def test_official_required_checks_the_role(app, login_as):
    admin, officer = login_as("province_admin"), login_as("commune_officer")

    with app.test_request_context("/", headers=admin):
        assert admin_only().startswith("province.admin")
    with app.test_request_context("/", headers=officer), pytest.raises(scopes.Forbidden):
        admin_only()
    with app.test_request_context("/"), pytest.raises(BearerUnauthorized):
        admin_only()


def test_official_required_refuses_unknown_roles():
    with pytest.raises(ValueError, match="resident"):
        auth.official_required("resident")


def test_current_official_is_none_without_a_request(app):
    with app.app_context():
        assert auth.current_official() is None


def test_openapi_documents_the_bearer_scheme(client):
    document = client.get("/api/v1/openapi.json").get_json()

    scheme = document["components"]["securitySchemes"][BEARER_SCHEME]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    me = document["paths"]["/api/v1/auth/me"]["get"]
    assert me["security"] == [{BEARER_SCHEME: []}]
    assert "401" in me["responses"]
    assert "security" not in document["paths"]["/api/v1/auth/token"]["post"]
    assert "UNAUTHORIZED" in document["components"]["responses"]


# --- web sessions ------------------------------------------------------------------------------


def test_web_session_signs_in_until_revoked(client, login_web, db_session):
    token = login_web("commune_chair")

    assert client.get("/api/v1/auth/me").get_json()["role"] == "commune_chair"

    accounts.revoke_session(db_session, token, now=NOW)
    db_session.commit()

    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401


def test_disabling_the_user_ends_the_web_session_at_once(client, login_web, db_session):
    login_web(username="canbo.xa")
    assert client.get("/api/v1/auth/me").status_code == 200

    accounts.disable_user(db_session, accounts.get_user(db_session, "canbo.xa"), now=NOW)
    db_session.commit()

    assert client.get("/api/v1/auth/me").status_code == 401


def test_cookie_holds_only_the_session_token(client, login_web, db_session):
    token = login_web()
    client.get("/api/v1/auth/me")

    with client.session_transaction() as browser_session:
        assert browser_session[SESSION_KEY] == token
        assert not {"role", "user_id", "username"} & set(browser_session)


def test_web_session_slides_on_reads(client, login_web, db_session, app, monkeypatch):
    token = login_web()
    later = NOW + timedelta(hours=2)
    monkeypatch.setitem(app.config, "FIXED_NOW", later)

    assert client.get("/api/v1/auth/me").status_code == 200

    db_session.expire_all()
    record = accounts.find_session(db_session, token)
    assert accounts.as_utc(record.last_seen_at) == later
    assert accounts.as_utc(record.expires_at) == later + accounts.WEB_IDLE_TIMEOUT


def test_a_bad_bearer_header_is_not_rescued_by_the_cookie(client, login_web):
    login_web()

    response = client.get("/api/v1/auth/me", headers=bearer("not-a-token"))

    assert response.status_code == 401


def test_web_session_changes_data_through_the_api_only_with_a_csrf_token(
    app, client, login_web, db_session
):
    token = login_web()

    refused = client.post("/api/v1/auth/logout")
    assert refused.status_code == 400
    assert client.get("/api/v1/auth/me").status_code == 200

    accepted = client.post("/api/v1/auth/logout", headers=csrf_headers(app, client))
    assert accepted.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    assert accounts.find_session(db_session, token).revoked_at is not None


def test_log_in_issues_a_fresh_token_and_revokes_the_old_one(app, make_user, db_session):
    user = make_user()
    planted = accounts.open_session(db_session, user, "web", now=NOW)

    with app.test_request_context("/"):
        session[SESSION_KEY] = planted
        session["csrf_token"] = "from before the sign-in"
        fresh = auth.log_in(user)
        assert session[SESSION_KEY] == fresh
        assert "csrf_token" not in session
        assert auth.current_official().user_id == user.id

    assert fresh != planted
    assert accounts.official_for_token(db_session, planted, now=NOW) is None
    assert accounts.official_for_token(db_session, fresh, now=NOW, kind="web") is not None


def test_log_out_without_a_credential_does_nothing(app):
    with app.test_request_context("/"):
        assert auth.log_out() is False
