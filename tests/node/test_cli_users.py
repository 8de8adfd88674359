"""`giamngheo node create-user` and `disable-user`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from node.cli import cli
from node.models import User, UserUnit, Village
from node.services import accounts
from shared import units
from shared.web import cli as shared_cli
from tests.node.conftest import TEST_PASSWORD

PASSWORD = "a long enough password"
GIAMNGHEO = Path(sys.executable).parent / "giamngheo"


def user_count(db_session):
    return db_session.scalar(sa.select(sa.func.count()).select_from(User))


def test_create_user_reads_the_password_from_stdin(runner, db_session):
    result = runner.invoke(
        cli,
        ["create-user", "CanBo.Xa", "--role", "commune_officer", "--unit", "00070"]
        + ["--full-name", "Nguyễn Văn An"],
        input=f"{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "canbo.xa" in result.output
    assert "commune_officer" in result.output
    assert "00070" in result.output
    assert PASSWORD not in result.output
    user = accounts.get_user(db_session, "canbo.xa")
    assert user.full_name == "Nguyễn Văn An"
    assert user.unit_codes == {"00070"}
    assert accounts.authenticate(db_session, "canbo.xa", PASSWORD, now=datetime.now(UTC)) is user


def test_create_village_head_of_two_villages(runner, db_session):
    for code in ("00070-001", "00070-002"):
        db_session.add(Village(code=code, commune_code="00070", name=code))
    db_session.commit()

    result = runner.invoke(
        cli,
        ["create-user", "truong.thon", "--role", "village_head"]
        + ["--unit", "00070-001", "--unit", "00070-002"],
        input=f"{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert accounts.get_user(db_session, "truong.thon").unit_codes == {"00070-001", "00070-002"}


def test_create_user_prompts_twice_on_a_terminal(runner, db_session, monkeypatch):
    monkeypatch.setattr(shared_cli, "stdin_is_tty", lambda: True)

    result = runner.invoke(
        cli,
        ["create-user", "admin", "--role", "province_admin", "--unit", "01"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1
    assert "Repeat for confirmation" in result.output
    assert accounts.get_user(db_session, "admin").role == "province_admin"


@pytest.mark.parametrize(
    ("arguments", "password", "message"),
    [
        (["--role", "boss", "--unit", "00070"], PASSWORD, "Invalid value for '--role'"),
        (["--role", "commune_officer", "--unit", "01"], PASSWORD, "not a commune code"),
        (["--role", "province_admin", "--unit", "00070"], PASSWORD, "province code 01"),
        (["--role", "village_head", "--unit", "00070"], PASSWORD, "not a village code"),
        (
            ["--role", "commune_officer", "--unit", units.communes("79")[0].code],
            PASSWORD,
            "not in province 01",
        ),
        (["--role", "village_head", "--unit", "00070-042"], PASSWORD, "No such village"),
        (["--role", "commune_officer", "--unit", "00070"], "short", "At least 10"),
        (["--role", "commune_officer", "--unit", "00070"], "", "At least 10"),
        (["--role", "commune_officer", "--unit", "00070"], "12345678901", "Not only digits"),
        (["--role", "commune_officer"], PASSWORD, "--unit: The role commune_officer takes"),
    ],
)
def test_create_user_refuses_bad_input_with_exit_code_2(
    runner, db_session, arguments, password, message
):
    result = runner.invoke(cli, ["create-user", "canbo.xa", *arguments], input=f"{password}\n")

    assert result.exit_code == 2
    assert message in result.output
    assert user_count(db_session) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(UserUnit)) == 0


def test_create_user_refuses_an_existing_username(runner, db_session):
    first = ["create-user", "canbo.xa", "--role", "commune_officer", "--unit", "00070"]
    assert runner.invoke(cli, first, input=f"{PASSWORD}\n").exit_code == 0

    again = runner.invoke(
        cli,
        ["create-user", "CANBO.XA", "--role", "commune_chair", "--unit", "00073"],
        input=f"{PASSWORD}\n",
    )

    assert again.exit_code == 2
    assert "NAME: This username is taken." in again.output
    assert user_count(db_session) == 1
    assert accounts.get_user(db_session, "canbo.xa").role == "commune_officer"


def test_disable_user_ends_the_sessions(runner, db_session, make_user):
    user = make_user(username="canbo.xa")
    token = accounts.open_session(db_session, user, accounts.API, now=datetime.now(UTC))
    db_session.commit()

    result = runner.invoke(cli, ["disable-user", "CanBo.Xa"])

    assert result.exit_code == 0, result.output
    assert "1 live session" in result.output
    db_session.expire_all()
    assert accounts.get_user(db_session, "canbo.xa").active is False
    assert accounts.official_for_token(db_session, token, now=datetime.now(UTC)) is None


def test_disable_unknown_user_is_exit_code_2(runner, db_session):
    result = runner.invoke(cli, ["disable-user", "nobody"])

    assert result.exit_code == 2
    assert "No official is called 'nobody'" in result.output


def test_create_user_in_a_real_process_on_a_fresh_database(tmp_path):
    database = tmp_path / "node.db"
    environ = {
        **os.environ,
        "GIAMNGHEO_ENV": "development",
        "GIAMNGHEO_PROVINCE": "01",
        "GIAMNGHEO_DATABASE_URL": f"sqlite:///{database}",
    }

    def giamngheo(*arguments, stdin=None):
        return subprocess.run(
            [str(GIAMNGHEO), "node", *arguments],
            input=stdin,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert giamngheo("init-db").returncode == 0
    created = giamngheo(
        "create-user", "xa.officer", "--role", "commune_officer", "--unit", "00070",
        stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    refused = giamngheo(
        "create-user", "xa.officer", "--role", "commune_officer", "--unit", "00070",
        stdin=f"{PASSWORD}\n",
    )  # fmt: skip

    assert created.returncode == 0, created.stderr
    assert "xa.officer" in created.stdout
    assert refused.returncode == 2
    assert "taken" in refused.stderr
    for output in (created.stdout, created.stderr, refused.stdout, refused.stderr):
        assert PASSWORD not in output
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT username, role, password_hash FROM users").fetchall()
    assert [(name, role) for name, role, _hash in rows] == [("xa.officer", "commune_officer")]
    # The real parameters, not the tests' cheap ones: the process has its own hasher.
    assert rows[0][2].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PasswordHasher().verify(rows[0][2], PASSWORD)


def test_set_password_replaces_it_unlocks_and_ends_the_sessions(runner, db_session, make_user):
    user = make_user(username="canbo.xa")
    token = accounts.open_session(db_session, user, accounts.API, now=datetime.now(UTC))
    user.locked_until = datetime.now(UTC) + accounts.LOCKOUT
    db_session.commit()

    result = runner.invoke(cli, ["set-password", "canbo.xa"], input="a brand new passphrase\n")

    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert accounts.official_for_token(db_session, token, now=datetime.now(UTC)) is None
    signed_in = accounts.authenticate(
        db_session, "canbo.xa", "a brand new passphrase", now=datetime.now(UTC)
    )
    assert signed_in.locked_until is None


@pytest.mark.parametrize("password", ["short", "1234567890123", "canbo.xa", "x" * 1025])
def test_set_password_refuses_a_weak_one_and_changes_nothing(
    runner, db_session, make_user, password
):
    user = make_user(username="canbo.xa")
    before = user.password_hash

    result = runner.invoke(cli, ["set-password", "canbo.xa"], input=f"{password}\n")

    assert result.exit_code == 2
    assert "The password is too weak. password:" in result.output
    db_session.expire_all()
    assert accounts.get_user(db_session, "canbo.xa").password_hash == before


def test_enable_user_lets_a_disabled_official_back_in(runner, db_session, make_user):
    make_user(username="canbo.xa")
    assert runner.invoke(cli, ["disable-user", "canbo.xa"]).exit_code == 0

    result = runner.invoke(cli, ["enable-user", "canbo.xa"])

    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert accounts.get_user(db_session, "canbo.xa").active is True


def test_reset_totp_switches_the_second_factor_off(runner, db_session, make_user):
    user = make_user(username="canbo.xa")
    accounts.start_totp_enrolment(db_session, user)
    user.totp_secret = user.totp_pending_secret
    db_session.commit()

    result = runner.invoke(cli, ["reset-totp", "canbo.xa"])

    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert accounts.get_user(db_session, "canbo.xa").totp_secret is None
    assert accounts.authenticate(db_session, "canbo.xa", TEST_PASSWORD, now=datetime.now(UTC))
