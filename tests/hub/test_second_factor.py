"""Central users' second factor (TOTP), as officials have it: enrolment on the account page,
the code asked at sign-in on the web and through the API, a used or wrong code refused and
counted, and `hub reset-totp` for a lost phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from hub.cli import cli
from hub.models import User
from hub.services import accounts
from shared.web.accounts import MAX_FAILED_LOGINS
from tests.hub.conftest import TEST_PASSWORD
from tests.session_helpers import form_token

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


pytestmark = [pytest.mark.usefixtures("fixed_clock"), pytest.mark.now(NOW)]


def code_at(user: User, moment: datetime) -> str:
    return pyotp.TOTP(user.totp_secret or user.totp_pending_secret).at(moment)


def enrol(client, db_session, user: User) -> None:
    """Turn the second factor on through the account page, as the user would."""
    page = client.post("/account/totp", data={"csrf_token": form_token(client, "/account")})
    assert page.status_code == 200
    assert "<svg" in page.get_data(as_text=True)
    db_session.refresh(user)
    data = {
        "csrf_token": form_token(client, "/account"),
        "step": "confirm",
        "code": code_at(user, NOW),
    }
    assert client.post("/account/totp", data=data).status_code == 303
    db_session.refresh(user)


def test_the_account_page_turns_the_second_factor_on(client, db_session, signed_in):
    assert "Bật xác thực hai lớp" in client.get("/account").get_data(as_text=True)

    enrol(client, db_session, signed_in)

    assert signed_in.totp_enabled
    assert signed_in.totp_pending_secret is None


@pytest.mark.parametrize("code", ["000000", "12345\x00", "١٢٣٤٥٦", "x" * 5000, ""])
def test_a_wrong_confirmation_code_changes_nothing(client, db_session, signed_in, code):
    client.post("/account/totp", data={"csrf_token": form_token(client, "/account")})
    data = {"csrf_token": form_token(client, "/account"), "step": "confirm", "code": code}

    response = client.post("/account/totp", data=data)

    assert response.status_code == 422
    db_session.refresh(signed_in)
    assert signed_in.totp_secret is None


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get("/account")

    assert response.status_code == 303
    assert "/login" in response.headers["Location"]


def test_web_sign_in_asks_for_the_code_then_accepts_it(
    app, client, db_session, signed_in, fixed_clock
):
    enrol(client, db_session, signed_in)
    other = app.test_client()
    data = {"username": signed_in.username, "password": TEST_PASSWORD}

    asked = other.post("/login?lang=en", data={**data, "csrf_token": form_token(other, "/login")})
    later = NOW + timedelta(seconds=60)
    fixed_clock.set(later)
    token = form_token(other, "/login")
    signed = other.post(
        "/login", data={**data, "csrf_token": token, "totp": code_at(signed_in, later)}
    )

    assert asked.status_code == 401
    assert "mã 6 chữ số" in asked.get_data(as_text=True)
    assert signed.status_code == 302
    assert other.get("/dashboard/").status_code == 200


def test_api_sign_in_needs_the_code_and_a_code_is_good_once(
    client, db_session, signed_in, fixed_clock
):
    enrol(client, db_session, signed_in)
    body = {"username": signed_in.username, "password": TEST_PASSWORD}
    later = NOW + timedelta(seconds=60)
    fixed_clock.set(later)
    code = code_at(signed_in, later)

    without = client.post("/api/v1/auth/token", json=body)
    with_code = client.post("/api/v1/auth/token", json={**body, "totp": code})
    again = client.post("/api/v1/auth/token", json={**body, "totp": code})

    assert without.status_code == 401
    assert without.get_json()["error"]["code"] == "totp_required"
    assert with_code.status_code == 200
    assert with_code.get_json()["token"]
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "invalid_credentials"


def test_wrong_codes_count_towards_the_lock(app, client, db_session, signed_in):
    enrol(client, db_session, signed_in)
    body = {"username": signed_in.username, "password": TEST_PASSWORD, "totp": "000000"}
    for _ in range(MAX_FAILED_LOGINS):
        client.post("/api/v1/auth/token", json=body)
    db_session.refresh(signed_in)

    assert signed_in.locked_until is not None


def test_reset_totp_switches_the_second_factor_off(client, db_session, runner, signed_in):
    enrol(client, db_session, signed_in)

    result = runner.invoke(cli, ["reset-totp", signed_in.username])
    db_session.refresh(signed_in)

    assert result.exit_code == 0, result.output
    assert signed_in.totp_secret is None
    token = accounts.authenticate(db_session, signed_in.username, TEST_PASSWORD, now=NOW)
    assert token is signed_in


@pytest.mark.parametrize("command", ["reset-totp", "set-password", "disable-user", "enable-user"])
def test_user_commands_refuse_an_unknown_user(runner, command):
    result = runner.invoke(cli, [command, "nobody\x00"], input="a long enough passphrase\n")

    assert result.exit_code == 2
    assert "No central user is called" in result.output


def test_moving_the_second_factor_needs_a_code_or_the_password(client, db_session, signed_in):
    enrol(client, db_session, signed_in)
    old_secret = signed_in.totp_secret

    def start(proof: str):
        token = form_token(client, "/account")
        return client.post("/account/totp", data={"csrf_token": token, "proof": proof})

    refused = start("not my password")
    db_session.refresh(signed_in)
    pending_after_refusal = signed_in.totp_pending_secret
    accepted = start(TEST_PASSWORD)
    db_session.refresh(signed_in)

    assert refused.status_code == 422
    assert pending_after_refusal is None
    assert signed_in.failed_login_count == 1
    assert accepted.status_code == 200
    assert signed_in.totp_pending_secret not in (None, old_secret)
    assert signed_in.totp_secret == old_secret
