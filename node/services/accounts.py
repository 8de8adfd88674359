"""Officials' accounts: create them, check passwords and TOTP codes, open and end sessions.

Sessions live in the database (UserSession): the browser's cookie or the program's bearer token
carries a random token whose SHA-256 alone is stored, so revoking the row ends the session at
once, and a copy of the table gives nobody a way in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from node.models.units import Village
from node.models.users import User, UserSession, UserUnit
from node.services.errors import NotFound, ServiceError, ValidationFailed
from node.services.scopes import ROLE_LEVEL, ROLES, Official
from shared import units
from shared.moments import as_utc

logger = logging.getLogger(__name__)

WEB = "web"
API = "api"
# A web session ends after 8 idle hours, and at the latest 12 hours after sign-in (a working
# day); an API token lives 12 hours whatever its use, so a leaked one does not live on.
WEB_IDLE_TIMEOUT = timedelta(hours=8)
WEB_MAX_AGE = timedelta(hours=12)
API_TOKEN_MAX_AGE = timedelta(hours=12)
# How stale last_seen_at may get before a request writes it again: one write a minute per
# session, not one per request.
TOUCH_INTERVAL = timedelta(minutes=1)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

PASSWORD_MIN_LENGTH = 10
# argon2 hashes any length, but a megabyte "password" is only a way to burn CPU.
PASSWORD_MAX_LENGTH = 1024
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
VILLAGE_CODE_PATTERN = re.compile(r"\d{5}-\d{3}")
TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 128
TOTP_ISSUER = "giamngheo"
# A code from the step before or after the server's is accepted: phones' clocks drift.
TOTP_VALID_WINDOW = 1

# argon2id with the library's defaults (RFC 9106's second recommended option). The tests
# swap in cheaper parameters; a hash made with other parameters is upgraded at the next login.
PASSWORD_HASHER = PasswordHasher()

INVALID_CREDENTIALS = "Wrong username or password."


class AuthenticationFailed(ServiceError):
    """Sign-in refused. Unknown user, wrong password, disabled or locked account look alike."""

    status = 401
    code = "invalid_credentials"


class TotpRequired(AuthenticationFailed):
    """The password was right, and this account also needs a code from its authenticator app."""

    code = "totp_required"


def normalize_username(username: str) -> str:
    """The stored form of a username: trimmed and lower-case."""
    return username.strip().lower()


def find_user(session: Session, username: str) -> User | None:
    """The user with this username (any case), or None."""
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def get_user(session: Session, username: str) -> User:
    """The user with this username; raises NotFound."""
    user = find_user(session, username)
    if user is None:
        raise NotFound("No user has this username.")
    return user


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    unit_codes: Iterable[str],
    province_code: str,
    full_name: str | None = None,
    *,
    now: datetime | None = None,
) -> User:
    """A new official of this node's province; raises ValidationFailed naming every bad field."""
    now = as_utc(now or datetime.now(UTC))
    username = normalize_username(username)
    codes = sorted({code.strip() for code in unit_codes if code.strip()})
    errors: dict[str, str] = {}
    if not USERNAME_PATTERN.fullmatch(username):
        errors["username"] = (
            "3 to 64 characters: letters a-z, digits, '.', '_', '@' or '-', "
            "starting with a letter or a digit."
        )
    elif find_user(session, username) is not None:
        errors["username"] = "This username is taken."
    if problem := password_problem(password, username):
        errors["password"] = problem
    if role not in ROLES:
        errors["role"] = f"Must be one of: {', '.join(ROLES)}."
    else:
        try:
            codes = _checked_units(session, role, codes, province_code)
        except ValueError as error:
            errors["unit_codes"] = str(error)
    name = (full_name or "").strip() or None
    if name is not None and len(name) > 200:
        errors["full_name"] = "At most 200 characters."
    if errors:
        raise ValidationFailed("The user cannot be created.", errors)

    user = User(
        username=username,
        full_name=name,
        role=role,
        password_hash=PASSWORD_HASHER.hash(password),
        password_changed_at=now,
        units=[UserUnit(unit_code=code) for code in codes],
    )
    try:
        # A SAVEPOINT, so losing a race for the username undoes this insert alone.
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        if user in session:
            session.expunge(user)
        raise ValidationFailed(
            "The user cannot be created.", {"username": "This username is taken."}
        ) from None
    logger.info("Created user %s with role %s", user.id, role)
    return user


def password_problem(password: str, username: str = "") -> str | None:
    """Why the password is too weak, or None when it meets the policy."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"At least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"At most {PASSWORD_MAX_LENGTH} characters."
    if password.isdigit():
        return "Not only digits."
    if username and password.strip().lower() == normalize_username(username):
        return "Not the username."
    return None


def _checked_units(session: Session, role: str, codes: list[str], province_code: str) -> list[str]:
    """The unit codes the role needs, checked; raises ValueError saying what is wrong."""
    level = ROLE_LEVEL[role]
    if level == "province":
        # The node serves one province, so a province role needs no --unit; given, it must match.
        if codes not in ([], [province_code]):
            raise ValueError(f"The role {role} takes the province code {province_code} only.")
        return [province_code]
    if level == "commune":
        if len(codes) != 1:
            raise ValueError(f"The role {role} takes exactly one commune code (5 digits).")
        _check_commune(codes[0], province_code)
        return codes
    if not codes:
        raise ValueError(f"The role {role} takes one or more village codes (CCCCC-NNN).")
    for code in codes:
        if not VILLAGE_CODE_PATTERN.fullmatch(code):
            raise ValueError(f"{code} is not a village code (CCCCC-NNN, e.g. 00070-001).")
    communes = {code[:5] for code in codes}
    if len(communes) > 1:
        raise ValueError("The villages must all be of one commune.")
    _check_commune(communes.pop(), province_code)
    known = set(
        session.scalars(
            select(Village.code).where(Village.code.in_(codes), Village.active.is_(True))
        )
    )
    if missing := [code for code in codes if code not in known]:
        raise ValueError(f"No such village: {', '.join(missing)}.")
    return codes


def _check_commune(code: str, province_code: str) -> None:
    if not re.fullmatch(r"\d{5}", code):
        raise ValueError(f"{code} is not a commune code (5 digits).")
    if not units.is_commune_code(code):
        raise ValueError(f"No commune has the code {code}.")
    if units.commune(code).province_code != province_code:
        raise ValueError(f"The commune {code} is not in province {province_code}.")


def authenticate(
    session: Session,
    username: str,
    password: str,
    totp: str | None = None,
    *,
    now: datetime,
) -> User:
    """The user these credentials belong to; raises AuthenticationFailed (TotpRequired).

    Failed attempts are counted in the database: the fifth in a row locks the account for
    LOCKOUT. While locked, every attempt fails the same way as a wrong password, right password
    or not. The count and the lock are flushed before raising: the caller must commit them even
    though the sign-in failed.
    """
    now = as_utc(now)
    user = find_user(session, username)
    # Verify even without a user, so the answer's timing does not tell which usernames exist.
    password_ok = _verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is None:
        logger.info("Failed sign-in for an unknown username")
        raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
    if not user.active or _is_locked(user, now):
        logger.info("Refused sign-in for disabled or locked user %s", user.id)
        raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
    if not password_ok:
        _count_failure(session, user, now)
        raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
    if user.totp_secret is not None:
        if not (totp or "").strip():
            # Not a failure: a client learns the second step is needed only with the password.
            raise TotpRequired(
                "Enter the code from your authenticator app.",
                {"totp": "Enter the code from your authenticator app."},
            )
        step = _totp_step(user.totp_secret, totp or "", now, after=user.totp_last_step)
        if step is None:
            # Counted like a wrong password, so the six digits cannot be tried one by one.
            _count_failure(session, user, now)
            raise AuthenticationFailed("Wrong code.", {"totp": "Wrong or already used code."})
        user.totp_last_step = step

    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = PASSWORD_HASHER.hash(password)
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    logger.info("User %s signed in", user.id)
    return user


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return PASSWORD_HASHER.hash(secrets.token_urlsafe(16))


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > now


def _count_failure(session: Session, user: User, now: datetime) -> None:
    # Incremented in SQL, so two concurrent failures both count.
    user.failed_login_count = User.failed_login_count + 1
    session.flush()
    if user.failed_login_count >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        # After the lock the official gets MAX_FAILED_LOGINS fresh attempts.
        user.failed_login_count = 0
        logger.warning("User %s locked until %s after failed sign-ins", user.id, user.locked_until)
    session.flush()


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    now: datetime,
    keep_token: str | None = None,
) -> None:
    """Change the password and end every other session (``keep_token``'s stays); unlocks."""
    now = as_utc(now)
    if problem := password_problem(password, user.username):
        raise ValidationFailed("The password is too weak.", {"password": problem})
    user.password_hash = PASSWORD_HASHER.hash(password)
    user.password_changed_at = now
    user.failed_login_count = 0
    user.locked_until = None
    keep = _token_hash(keep_token) if keep_token else None
    _revoke_all(session, user, now, keep_hash=keep)
    session.flush()
    logger.info("User %s changed password", user.id)


def disable_user(session: Session, user: User, *, now: datetime) -> int:
    """Stop the user from signing in and end all their sessions; returns how many were live."""
    now = as_utc(now)
    user.active = False
    revoked = _revoke_all(session, user, now)
    session.flush()
    logger.info("Disabled user %s, %d sessions revoked", user.id, revoked)
    return revoked


def start_totp_enrolment(session: Session, user: User, *, issuer: str = TOTP_ISSUER) -> str:
    """A new pending TOTP secret, as the otpauth:// URI an authenticator app scans.

    A second factor already enabled stays in force until confirm_totp accepts a code of the
    new secret.
    """
    secret = pyotp.random_base32()
    user.totp_pending_secret = secret
    session.flush()
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def confirm_totp(session: Session, user: User, code: str, *, now: datetime) -> None:
    """Enable the pending TOTP secret if ``code`` is right for it; raises ValidationFailed."""
    if user.totp_pending_secret is None:
        raise ValidationFailed(
            "No TOTP enrolment is in progress.", {"totp": "Start the enrolment first."}
        )
    step = _totp_step(user.totp_pending_secret, code, as_utc(now), after=None)
    if step is None:
        raise ValidationFailed("Wrong code.", {"totp": "Wrong code."})
    user.totp_secret = user.totp_pending_secret
    user.totp_pending_secret = None
    user.totp_last_step = step
    session.flush()
    logger.info("User %s enabled TOTP", user.id)


def _totp_step(secret: str, code: str, now: datetime, *, after: int | None) -> int | None:
    """The time step ``code`` belongs to (within the window, later than ``after``), or None."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def open_session(session: Session, user: User, kind: str, *, now: datetime) -> str:
    """A new session (``web``) or API token (``api``) for the user: the raw token, shown once."""
    if kind not in (WEB, API):
        raise ValueError(f"unknown session kind {kind!r}")
    now = as_utc(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    lifetime = min(WEB_IDLE_TIMEOUT, WEB_MAX_AGE) if kind == WEB else API_TOKEN_MAX_AGE
    session.add(
        UserSession(
            user=user,
            token_hash=_token_hash(token),
            kind=kind,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def find_session(session: Session, raw_token: str) -> UserSession | None:
    """The session row of a raw token (live or not), or None."""
    if not raw_token or len(raw_token) > TOKEN_MAX_LENGTH:
        return None
    return session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == _token_hash(raw_token))
        .options(selectinload(UserSession.user).selectinload(User.units))
    )


def official_for_token(
    session: Session, raw_token: str, *, now: datetime, kind: str | None = None
) -> Official | None:
    """The official a live token stands for, or None (unknown, revoked, expired, disabled).

    A web session's expiry slides with use (WEB_IDLE_TIMEOUT, never past WEB_MAX_AGE); the
    change is flushed, for the caller to commit. A locked account keeps its sessions: the lock
    stops password guessing, and anyone could trigger it, so it must not sign the official out.
    """
    now = as_utc(now)
    record = find_session(session, raw_token)
    if record is None or (kind is not None and record.kind != kind):
        return None
    if record.revoked_at is not None or as_utc(record.expires_at) <= now:
        return None
    if not record.user.active:
        return None
    if now - as_utc(record.last_seen_at) >= TOUCH_INTERVAL:
        record.last_seen_at = now
        if record.kind == WEB:
            record.expires_at = min(now + WEB_IDLE_TIMEOUT, as_utc(record.created_at) + WEB_MAX_AGE)
        session.flush()
    return official_for_user(record.user)


def official_for_user(user: User) -> Official:
    """The user as the services' Official: id, username, role and unit codes."""
    return Official(
        user_id=user.id, username=user.username, role=user.role, unit_codes=user.unit_codes
    )


def revoke_session(session: Session, raw_token: str, *, now: datetime) -> bool:
    """End the session of this token; False when it was unknown or already ended."""
    record = find_session(session, raw_token)
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = as_utc(now)
    session.flush()
    return True


def _revoke_all(
    session: Session, user: User, now: datetime, *, keep_hash: str | None = None
) -> int:
    live = session.scalars(
        select(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
    ).all()
    revoked = 0
    for record in live:
        if record.token_hash != keep_hash:
            record.revoked_at = now
            revoked += 1
    return revoked


def _token_hash(raw_token: str) -> str:
    # SHA-256 without salt is enough here: the token is 256 random bits, not a password.
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
