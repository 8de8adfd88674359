"""Signing in to the officials' workspace: Vietnamese messages, the lockout kept in the database,
TOTP, a fresh session token at every sign-in, CSRF on the forms, and signing out."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from node.models import User, UserSession
from node.services import accounts
from shared.web.auth import SESSION_KEY
from tests.node.conftest import TEST_PASSWORD
from tests.node.officials_helpers import TOKEN, html, sign_in
from tests.node.review_helpers import NOW

NEUTRAL = "Sai tên đăng nhập hoặc mật khẩu."


pytestmark = pytest.mark.usefixtures("fixed_clock")


def login_token(client) -> str:
    return TOKEN.search(html(client.get("/officials/login"))).group(1)


def log_in(client, username, password=TEST_PASSWORD, **extra):
    data = {"username": username, "password": password, "csrf_token": login_token(client), **extra}
    return client.post("/officials/login", data=data)


def test_the_sign_in_page_is_vietnamese(client):
    page = html(client.get("/officials/login"))
    assert "Đăng nhập dành cho cán bộ" in page
    assert 'autocomplete="current-password"' in page


def test_signing_in_opens_the_worklist(client, make_user):
    user = make_user("commune_officer", username="can.bo.xa")
    response = log_in(client, "Can.Bo.Xa")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/officials/")
    home = client.get("/officials/")
    assert home.status_code == 200
    assert "Việc cần làm" in html(home)
    assert user.username in html(home)


def test_a_planted_session_token_never_becomes_signed_in(client, make_user, db_session):
    make_user("commune_officer", username="fixation")
    with client.session_transaction() as session:
        session[SESSION_KEY] = "planted-by-an-attacker"
    log_in(client, "fixation")
    with client.session_transaction() as session:
        token = session[SESSION_KEY]
    assert token != "planted-by-an-attacker"
    assert accounts.official_for_token(db_session, token, now=NOW) is not None


def test_a_wrong_password_is_counted_and_told_in_vietnamese(client, make_user, db_session):
    user = make_user("commune_officer")
    response = log_in(client, user.username, "wrong password!")
    assert response.status_code == 401
    assert NEUTRAL in html(response)
    db_session.refresh(user)
    assert user.failed_login_count == 1
    assert client.get("/officials/").status_code == 303


def test_a_locked_account_gets_the_same_words(client, make_user, db_session):
    user = make_user("commune_officer")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        log_in(client, user.username, "wrong password!")
    db_session.refresh(user)
    assert user.locked_until is not None
    locked = log_in(client, user.username)  # the right password, while locked
    unknown = log_in(client, "nobody.here", "wrong password!")
    assert locked.status_code == unknown.status_code == 401
    assert NEUTRAL in html(locked)
    assert NEUTRAL in html(unknown)
    assert client.get("/officials/").status_code == 303


def test_empty_fields_are_named(client):
    response = log_in(client, "", "")
    assert response.status_code == 422
    assert "Nhập tên đăng nhập và mật khẩu." in html(response)


def test_totp_is_asked_when_enabled(client, make_user, db_session):
    user = make_user("commune_chair")
    user.totp_secret = pyotp.random_base32()
    db_session.commit()
    asked = log_in(client, user.username)
    assert asked.status_code == 401
    assert "mã gồm 6 chữ số" in html(asked)
    wrong = log_in(client, user.username, totp="000000")
    assert wrong.status_code == 401
    assert "Mã không đúng" in html(wrong)
    right = log_in(client, user.username, totp=pyotp.TOTP(user.totp_secret).at(NOW))
    assert right.status_code == 303
    assert client.get("/officials/").status_code == 200


def test_next_returns_to_the_page_but_never_to_another_site(client, make_user):
    make_user("commune_officer", username="next.test")
    first = client.get("/officials/applications?status=posted")
    assert first.status_code == 303
    assert "next=" in first.headers["Location"]
    back = log_in(client, "next.test", next="/officials/applications?status=posted")
    assert back.headers["Location"].endswith("/officials/applications?status=posted")
    token = TOKEN.search(html(client.get("/officials/"))).group(1)
    client.post("/officials/logout", data={"csrf_token": token})
    away = log_in(client, "next.test", next="//evil.example/officials")
    assert away.headers["Location"].endswith("/officials/")


def test_sign_in_needs_the_form_token(client, make_user):
    user = make_user("commune_officer")
    response = client.post(
        "/officials/login", data={"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in html(response)
    assert client.get("/officials/").status_code == 303


def test_signing_out_ends_the_session(app, make_user, db_session):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    refused = officer.post("/officials/logout", csrf=False)
    assert refused.status_code == 400
    assert officer.get("/officials/").status_code == 200
    response = officer.post("/officials/logout")
    assert response.status_code == 303
    assert officer.get("/officials/").status_code == 303
    live = db_session.scalars(
        select(UserSession).where(
            UserSession.user_id == officer.user_id,
            UserSession.kind == "web",
            UserSession.revoked_at.is_(None),
        )
    ).all()
    assert live == []


def test_an_official_turns_on_the_second_factor(app, make_user, db_session):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    started = officer.post("/officials/account/totp")
    assert started.status_code == 200
    assert "<svg" in html(started)
    user = db_session.get(User, officer.user_id)
    db_session.refresh(user)
    wrong = officer.post("/officials/account/totp", {"step": "confirm", "code": "123"})
    assert wrong.status_code == 422
    assert "Mã không đúng" in html(wrong)
    code = pyotp.TOTP(user.totp_pending_secret).at(NOW)
    done = officer.post("/officials/account/totp", {"step": "confirm", "code": code})
    assert done.status_code == 303
    db_session.refresh(user)
    assert user.totp_enabled


def test_moving_the_second_factor_needs_a_code_or_the_password(
    app, make_user, db_session, fixed_clock
):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    user = db_session.get(User, officer.user_id)
    user.totp_secret = old_secret = pyotp.random_base32()
    db_session.commit()

    without = officer.post("/officials/account/totp")
    wrong = officer.post("/officials/account/totp", {"proof": "not my password"})
    db_session.refresh(user)
    counted, pending = user.failed_login_count, user.totp_pending_secret
    fixed_clock.advance(timedelta(minutes=1))
    code = pyotp.TOTP(old_secret).at(fixed_clock.now)
    by_code = officer.post("/officials/account/totp", {"proof": code})
    db_session.refresh(user)

    assert (without.status_code, wrong.status_code) == (422, 422)
    assert "hoặc mật khẩu" in html(wrong)
    assert (counted, pending) == (1, None)
    assert by_code.status_code == 200
    assert "<svg" in html(by_code)
    assert user.totp_pending_secret not in (None, old_secret)
    assert user.totp_secret == old_secret
