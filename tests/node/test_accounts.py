"""Officials' accounts (node.services.accounts): passwords, validation, lockout, TOTP, sessions."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from node.models import User, UserSession, UserUnit, Village
from node.models import users as user_models
from node.services import accounts, scopes
from node.services.errors import ValidationFailed
from shared import units
from shared.web import accounts as account_core
from tests.node.conftest import TEST_PASSWORD

T0 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
OTHER_PROVINCE_COMMUNE = units.communes("79")[0].code


def create(
    db_session,
    username="xa.officer",
    password=TEST_PASSWORD,
    role="commune_officer",
    unit_codes=("00070",),
    **kwargs,
):
    return accounts.create_user(db_session, username, password, role, unit_codes, "01", **kwargs)


def count(db_session, model):
    return db_session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def villages(db_session):
    """Two villages of commune 00070 and one of 00073, both communes of Hà Nội."""
    for code in ("00070-001", "00070-002", "00073-001"):
        db_session.add(Village(code=code, commune_code=code[:5], name=f"Thôn {code}"))
    db_session.flush()


def totp_code(secret, moment):
    return pyotp.TOTP(secret).at(moment)


# --- the model ----------------------------------------------------------------------------


def test_model_roles_are_the_scopes_roles():
    assert user_models.ROLES == scopes.ROLES


def test_full_name_is_marked_as_personal_data():
    assert User.__table__.c.full_name.info.get("personal_data") is True


# --- passwords ----------------------------------------------------------------------------


def test_production_hasher_is_argon2id_with_the_recommended_parameters(monkeypatch):
    monkeypatch.undo()  # the conftest's cheap hasher, for this test only

    hasher = account_core.PASSWORD_HASHER
    assert hasher.type is Type.ID
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    assert hasher.hash("x" * 12).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_password_is_stored_as_an_argon2id_hash(db_session):
    user = create(db_session)

    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, TEST_PASSWORD)


def test_no_password_or_token_in_any_column_of_the_database(db_session, villages):
    secret_password = "plain text secret 9431"
    new_password = "another plain secret 5512"
    user = create(db_session, password=secret_password, full_name="Nguyễn Văn An")
    accounts.authenticate(db_session, "xa.officer", secret_password, now=T0)
    tokens = [
        accounts.open_session(db_session, user, accounts.WEB, now=T0),
        accounts.open_session(db_session, user, accounts.API, now=T0),
    ]
    accounts.set_password(db_session, user, new_password, now=T0, keep_token=tokens[0])
    db_session.commit()

    connection = db_session.connection()
    inspector = sa.inspect(connection)
    seen = 0
    for table in inspector.get_table_names():
        for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
            for value in row:
                text = value if isinstance(value, str) else repr(value)
                for secret in (secret_password, new_password, *tokens):
                    assert secret not in text, f"a secret is stored in {table}"
                seen += 1
    # The scan did read the rows written above (user, units, sessions), not an empty database.
    assert seen > 20
    stored = set(db_session.scalars(sa.select(UserSession.token_hash)))
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}


# --- create_user --------------------------------------------------------------------------


def test_create_commune_officer(db_session):
    user = create(db_session, username="  Canbo.Xa ", full_name=" Trần Thị Bình ")

    assert user.username == "canbo.xa"
    assert user.full_name == "Trần Thị Bình"
    assert user.role == "commune_officer"
    assert user.unit_codes == {"00070"}
    assert user.active is True
    assert user.totp_enabled is False
    assert db_session.scalar(sa.select(UserUnit.unit_code)) == "00070"


def test_create_province_admin_takes_the_province_with_or_without_unit(db_session):
    without = create(db_session, username="admin1", role="province_admin", unit_codes=())
    given = create(db_session, username="admin2", role="province_officer", unit_codes=["01"])

    assert without.unit_codes == given.unit_codes == {"01"}


def test_create_village_head_of_two_villages(db_session, villages):
    user = create(
        db_session, role="village_head", unit_codes=["00070-002", "00070-001", "00070-001"]
    )

    assert user.unit_codes == {"00070-001", "00070-002"}
    official = accounts.official_for_user(user)
    assert official.commune_code == "00070"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "ab"}, "username", "3 to 64 characters"),
        ({"username": "nguyễn"}, "username", "3 to 64 characters"),
        ({"username": "-dash"}, "username", "starting with a letter"),
        ({"password": "short pw"}, "password", "At least 10"),
        ({"password": "12345678901234"}, "password", "Not only digits"),
        ({"username": "commune.officer", "password": "COMMUNE.OFFICER"}, "password", "username"),
        ({"password": "x" * 1025}, "password", "At most"),
        ({"role": "boss"}, "role", "Must be one of"),
        ({"role": "province_admin", "unit_codes": ["00070"]}, "unit_codes", "province code 01"),
        ({"role": "province_admin", "unit_codes": ["79"]}, "unit_codes", "province code 01"),
        ({"unit_codes": []}, "unit_codes", "exactly one commune"),
        ({"unit_codes": ["00070", "00073"]}, "unit_codes", "exactly one commune"),
        ({"unit_codes": ["01"]}, "unit_codes", "not a commune code"),
        ({"unit_codes": ["00070-001"]}, "unit_codes", "not a commune code"),
        ({"unit_codes": ["99999"]}, "unit_codes", "No commune"),
        ({"unit_codes": [OTHER_PROVINCE_COMMUNE]}, "unit_codes", "not in province 01"),
        ({"role": "village_head", "unit_codes": []}, "unit_codes", "one or more village"),
        ({"role": "village_head", "unit_codes": ["00070"]}, "unit_codes", "not a village"),
        ({"role": "village_head", "unit_codes": ["00070-009"]}, "unit_codes", "No such village"),
        (
            {"role": "village_head", "unit_codes": ["00070-001", "00073-001"]},
            "unit_codes",
            "one commune",
        ),
        ({"full_name": "A" * 201}, "full_name", "At most 200"),
    ],
)
def test_create_user_refuses_and_writes_nothing(db_session, villages, changes, field, message):
    before = (count(db_session, User), count(db_session, UserUnit))

    with pytest.raises(ValidationFailed) as raised:
        create(db_session, **changes)

    assert raised.value.status == 422
    assert set(raised.value.fields) == {field}
    assert message in raised.value.fields[field]
    db_session.flush()
    assert (count(db_session, User), count(db_session, UserUnit)) == before


def test_create_user_refuses_a_taken_username_in_any_case(db_session):
    create(db_session)

    with pytest.raises(ValidationFailed) as raised:
        create(db_session, username="XA.Officer", unit_codes=["00073"])

    assert raised.value.fields == {"username": "This username is taken."}
    assert count(db_session, User) == 1


def test_create_user_losing_a_race_for_the_username_is_a_validation_error(db_session, monkeypatch):
    first = create(db_session)
    # As if another request had inserted the name between the check and the insert.
    monkeypatch.setattr(accounts.ACCOUNTS, "find_user", lambda session, username: None)

    with pytest.raises(ValidationFailed) as raised:
        create(db_session, unit_codes=["00073"])

    assert raised.value.fields == {"username": "This username is taken."}
    # Only the failed insert was undone; the session goes on.
    db_session.commit()
    assert db_session.scalars(sa.select(User.id)).all() == [first.id]
    assert count(db_session, UserUnit) == 1


def test_create_user_reports_every_bad_field_at_once(db_session):
    with pytest.raises(ValidationFailed) as raised:
        create(db_session, username="a", password="123", role="boss")

    assert set(raised.value.fields) == {"username", "password", "role"}


def test_database_keeps_usernames_lower_case(db_session):
    db_session.add(
        User(username="Upper", role="province_admin", password_hash="x", password_changed_at=T0)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()
    db_session.rollback()


# --- authenticate -------------------------------------------------------------------------


def test_authenticate_returns_the_user_and_records_the_login(db_session):
    user = create(db_session)

    assert accounts.authenticate(db_session, " XA.officer", TEST_PASSWORD, now=T0) is user
    assert accounts.as_utc(user.last_login_at) == T0
    assert user.failed_login_count == 0


def test_unknown_user_and_wrong_password_get_the_same_error(db_session):
    create(db_session)

    with pytest.raises(accounts.AuthenticationFailed) as wrong:
        accounts.authenticate(db_session, "xa.officer", "not the password", now=T0)
    with pytest.raises(accounts.AuthenticationFailed) as unknown:
        accounts.authenticate(db_session, "nobody.here", TEST_PASSWORD, now=T0)

    assert type(wrong.value) is type(unknown.value) is accounts.AuthenticationFailed
    assert (wrong.value.status, wrong.value.code) == (unknown.value.status, unknown.value.code)
    assert (wrong.value.message, wrong.value.fields) == (
        unknown.value.message,
        unknown.value.fields,
    )
    assert wrong.value.status == 401


def test_disabled_user_cannot_sign_in(db_session):
    user = create(db_session)
    accounts.disable_user(db_session, user, now=T0)

    with pytest.raises(accounts.AuthenticationFailed) as raised:
        accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=T0)
    assert raised.value.code == "invalid_credentials"


def fail(db_session, moment, password="wrong password!"):
    with pytest.raises(accounts.AuthenticationFailed) as raised:
        accounts.authenticate(db_session, "xa.officer", password, now=moment)
    # Each attempt is its own request: what it wrote must survive its error answer.
    db_session.commit()
    return raised.value


def test_five_failures_lock_the_account_for_fifteen_minutes(db_session):
    user = create(db_session)
    db_session.commit()
    wrong_answer = None
    for attempt in range(5):
        wrong_answer = fail(db_session, T0 + timedelta(seconds=attempt))
    assert wrong_answer is not None

    # The lock is in the database, not in this process.
    db_session.expire_all()
    locked_until = db_session.scalar(sa.select(User.locked_until).where(User.id == user.id))
    assert accounts.as_utc(locked_until) == T0 + timedelta(seconds=4) + accounts.LOCKOUT

    # While locked, the right and a wrong password get the same answer as any wrong one.
    during = T0 + timedelta(minutes=10)
    right = fail(db_session, during, password=TEST_PASSWORD)
    wrong = fail(db_session, during)
    for answer in (right, wrong):
        assert (answer.code, answer.message, answer.fields) == (
            wrong_answer.code,
            wrong_answer.message,
            wrong_answer.fields,
        )

    after = T0 + timedelta(seconds=4) + accounts.LOCKOUT + timedelta(seconds=1)
    assert accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=after) is user
    assert user.locked_until is None


def test_four_failures_then_success_start_the_count_again(db_session):
    user = create(db_session)
    for attempt in range(4):
        fail(db_session, T0 + timedelta(seconds=attempt))
    assert user.failed_login_count == 4

    accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=T0 + timedelta(minutes=1))

    assert user.failed_login_count == 0
    fail(db_session, T0 + timedelta(minutes=2))
    assert user.locked_until is None


def test_login_rehashes_a_password_hashed_with_old_parameters(db_session, monkeypatch):
    user = create(db_session)
    old_hash = user.password_hash
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(account_core, "PASSWORD_HASHER", stronger)
    assert stronger.check_needs_rehash(old_hash)

    accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=T0)

    assert user.password_hash != old_hash
    assert not stronger.check_needs_rehash(user.password_hash)
    assert stronger.verify(user.password_hash, TEST_PASSWORD)


# --- TOTP ---------------------------------------------------------------------------------


def enrol(db_session, user, moment=T0):
    uri = accounts.start_totp_enrolment(db_session, user)
    secret = pyotp.parse_uri(uri).secret
    accounts.confirm_totp(db_session, user, totp_code(secret, moment), now=moment)
    return secret


def test_totp_enrolment_needs_a_correct_code(db_session):
    user = create(db_session)

    uri = accounts.start_totp_enrolment(db_session, user)

    assert uri.startswith("otpauth://totp/")
    assert "issuer=giamngheo" in uri
    secret = pyotp.parse_uri(uri).secret
    # Pending: the password alone still signs in.
    assert not user.totp_enabled
    accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=T0)
    with pytest.raises(ValidationFailed) as raised:
        accounts.confirm_totp(db_session, user, "000000", now=T0)
    assert "totp" in raised.value.fields
    assert not user.totp_enabled

    accounts.confirm_totp(db_session, user, totp_code(secret, T0), now=T0)

    assert user.totp_enabled
    assert user.totp_secret == secret
    assert user.totp_pending_secret is None


def test_confirm_without_enrolment_is_refused(db_session):
    user = create(db_session)

    with pytest.raises(ValidationFailed):
        accounts.confirm_totp(db_session, user, "123456", now=T0)


def test_login_with_totp(db_session):
    user = create(db_session)
    secret = enrol(db_session, user)
    later = T0 + timedelta(minutes=5)

    with pytest.raises(accounts.TotpRequired) as missing:
        accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=later)
    assert missing.value.status == 401
    assert missing.value.code == "totp_required"
    assert set(missing.value.fields) == {"totp"}
    assert user.failed_login_count == 0  # a missing code is the first step, not a failure

    with pytest.raises(accounts.AuthenticationFailed) as wrong:
        accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, "12345x", now=later)
    assert set(wrong.value.fields) == {"totp"}
    assert user.failed_login_count == 1  # wrong codes count, so they cannot be tried 10⁶ times

    code = totp_code(secret, later)
    assert accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, code, now=later) is user
    # The same code again, even within its 30 seconds, is refused (RFC 6238 §5.2).
    with pytest.raises(accounts.AuthenticationFailed):
        accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, code, now=later)


def test_wrong_password_with_totp_does_not_ask_for_the_code(db_session):
    user = create(db_session)
    enrol(db_session, user)

    with pytest.raises(accounts.AuthenticationFailed) as raised:
        accounts.authenticate(db_session, "xa.officer", "wrong password!", now=T0)

    assert raised.value.code == "invalid_credentials"


def test_new_enrolment_keeps_the_old_secret_until_confirmed(db_session):
    user = create(db_session)
    old_secret = enrol(db_session, user)

    accounts.start_totp_enrolment(db_session, user, proof=TEST_PASSWORD, now=T0)

    later = T0 + timedelta(minutes=5)
    code = totp_code(old_secret, later)
    assert accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, code, now=later) is user


@pytest.mark.parametrize("proof", [None, "", "000000", "not the password", "\x00" * 20, "x" * 5000])
def test_replacing_an_enabled_second_factor_needs_a_code_or_the_password(db_session, proof):
    user = create(db_session)
    old_secret = enrol(db_session, user)

    with pytest.raises(ValidationFailed) as raised:
        accounts.start_totp_enrolment(db_session, user, proof=proof, now=T0)

    assert set(raised.value.fields) == {"proof"}
    assert user.totp_secret == old_secret
    assert user.totp_pending_secret is None


def test_wrong_proofs_for_replacing_the_second_factor_lock_the_account(db_session):
    user = create(db_session)
    enrol(db_session, user)

    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(ValidationFailed):
            accounts.start_totp_enrolment(db_session, user, proof="a wrong guess", now=T0)

    assert user.locked_until is not None


@pytest.mark.parametrize("by", ["code", "password"])
def test_a_current_code_or_the_password_lets_the_second_factor_be_replaced(db_session, by):
    user = create(db_session)
    old_secret = enrol(db_session, user)
    later = T0 + timedelta(minutes=5)
    proof = totp_code(old_secret, later) if by == "code" else TEST_PASSWORD

    accounts.start_totp_enrolment(db_session, user, proof=proof, now=later)

    assert user.totp_pending_secret not in (None, old_secret)
    assert user.totp_secret == old_secret


# --- sessions and tokens ------------------------------------------------------------------


def test_token_is_stored_as_its_sha256_only(db_session):
    user = create(db_session)

    token = accounts.open_session(db_session, user, accounts.API, now=T0)

    record = db_session.scalar(sa.select(UserSession))
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 40
    assert accounts.as_utc(record.expires_at) == T0 + accounts.API_TOKEN_MAX_AGE


def test_official_for_token(db_session):
    user = create(db_session)
    token = accounts.open_session(db_session, user, accounts.API, now=T0)

    official = accounts.official_for_token(db_session, token, now=T0 + timedelta(hours=1))

    assert official == scopes.Official(
        user_id=user.id, username="xa.officer", role="commune_officer", unit_codes={"00070"}
    )


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 5000])
def test_unknown_tokens_give_nobody(db_session, token):
    create(db_session)

    assert accounts.official_for_token(db_session, token, now=T0) is None


def test_api_token_expires_after_twelve_hours_whatever_its_use(db_session):
    user = create(db_session)
    token = accounts.open_session(db_session, user, accounts.API, now=T0)

    for hours in range(1, 12):
        assert accounts.official_for_token(db_session, token, now=T0 + timedelta(hours=hours))
    assert accounts.official_for_token(db_session, token, now=T0 + timedelta(hours=12)) is None


def test_web_session_slides_while_used_and_ends_when_idle(db_session):
    user = create(db_session)
    kept, left, unused = (
        accounts.open_session(db_session, user, accounts.WEB, now=T0) for _ in range(3)
    )
    for token in (kept, left):
        assert accounts.official_for_token(db_session, token, now=T0 + timedelta(hours=1))

    # Never used: over after 8 hours. Used at 1 h: alive at 8 h 30...
    after_eight = T0 + timedelta(hours=8, minutes=30)
    assert accounts.official_for_token(db_session, unused, now=after_eight) is None
    assert accounts.official_for_token(db_session, kept, now=after_eight) is not None
    # ...but over 8 idle hours after that use.
    assert accounts.official_for_token(db_session, left, now=T0 + timedelta(hours=9)) is None


def test_web_session_ends_twelve_hours_after_sign_in_however_busy(db_session):
    user = create(db_session)
    token = accounts.open_session(db_session, user, accounts.WEB, now=T0)

    moment = T0
    while moment < T0 + accounts.WEB_MAX_AGE - timedelta(minutes=30):
        moment += timedelta(minutes=30)
        assert accounts.official_for_token(db_session, token, now=moment)
    assert accounts.official_for_token(db_session, token, now=T0 + accounts.WEB_MAX_AGE) is None


def test_kind_filter(db_session):
    user = create(db_session)
    api_token = accounts.open_session(db_session, user, accounts.API, now=T0)

    assert accounts.official_for_token(db_session, api_token, now=T0, kind=accounts.WEB) is None
    assert accounts.official_for_token(db_session, api_token, now=T0, kind=accounts.API)


def test_revoke_session(db_session):
    user = create(db_session)
    token = accounts.open_session(db_session, user, accounts.WEB, now=T0)
    other = accounts.open_session(db_session, user, accounts.WEB, now=T0)

    assert accounts.revoke_session(db_session, token, now=T0) is True
    assert accounts.revoke_session(db_session, token, now=T0) is False

    assert accounts.official_for_token(db_session, token, now=T0) is None
    assert accounts.official_for_token(db_session, other, now=T0) is not None


def test_disable_user_revokes_every_session(db_session):
    user = create(db_session)
    tokens = [accounts.open_session(db_session, user, kind, now=T0) for kind in ("web", "api")]

    assert accounts.disable_user(db_session, user, now=T0) == 2

    assert user.active is False
    for token in tokens:
        assert accounts.official_for_token(db_session, token, now=T0) is None


def test_set_password_revokes_the_other_sessions(db_session):
    user = create(db_session)
    current = accounts.open_session(db_session, user, accounts.WEB, now=T0)
    others = [accounts.open_session(db_session, user, kind, now=T0) for kind in ("web", "api")]

    accounts.set_password(db_session, user, "a brand new password", now=T0, keep_token=current)

    assert accounts.official_for_token(db_session, current, now=T0) is not None
    for token in others:
        assert accounts.official_for_token(db_session, token, now=T0) is None
    with pytest.raises(accounts.AuthenticationFailed):
        accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=T0)
    assert accounts.authenticate(db_session, "xa.officer", "a brand new password", now=T0)


def test_set_password_without_a_kept_session_revokes_all(db_session):
    user = create(db_session)
    token = accounts.open_session(db_session, user, accounts.API, now=T0)

    accounts.set_password(db_session, user, "a brand new password", now=T0)

    assert accounts.official_for_token(db_session, token, now=T0) is None


def test_set_password_applies_the_policy(db_session):
    user = create(db_session)

    with pytest.raises(ValidationFailed) as raised:
        accounts.set_password(db_session, user, "xa.officer", now=T0)

    assert set(raised.value.fields) == {"password"}
    assert accounts.authenticate(db_session, "xa.officer", TEST_PASSWORD, now=T0)


def test_lockout_does_not_end_existing_sessions(db_session):
    # Anyone can lock an account by guessing; that must not sign its official out.
    user = create(db_session)
    token = accounts.open_session(db_session, user, accounts.WEB, now=T0)
    for attempt in range(accounts.MAX_FAILED_LOGINS):
        fail(db_session, T0 + timedelta(seconds=attempt))
    assert user.locked_until is not None

    assert accounts.official_for_token(db_session, token, now=T0 + timedelta(minutes=1))
