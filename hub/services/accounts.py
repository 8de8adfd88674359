"""Central users' accounts: create them, check passwords, open and end sessions and tokens.

The hub's own, smaller version of the node's accounts (the two apps share no code): argon2id
hashes, a lockout counted in the database, and server-side sessions whose random token is
stored as its SHA-256 only, so revoking the row ends the session at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.models.users import ROLES, User, UserSession
from hub.services.errors import ServiceError, ValidationFailed
from shared.moments import as_utc

logger = logging.getLogger(__name__)

WEB = "web"
API = "api"
WEB_IDLE_TIMEOUT = timedelta(hours=8)
WEB_MAX_AGE = timedelta(hours=12)
API_TOKEN_MAX_AGE = timedelta(hours=12)
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 128

# argon2id with the library's defaults; the tests swap in cheaper parameters, and a hash made
# with other parameters is upgraded at the next sign-in.
PASSWORD_HASHER = PasswordHasher()
INVALID_CREDENTIALS = "Wrong username or password."


class AuthenticationFailed(ServiceError):
    """Sign-in refused: unknown user, wrong password, disabled or locked account look alike."""

    status = 401
    code = "invalid_credentials"


@dataclass(frozen=True)
class CentralUser:
    """Who signs a request: the user's id, username and role."""

    user_id: int
    username: str
    role: str


def normalize_username(username: str) -> str:
    """The stored form of a username: trimmed and lower-case."""
    return username.strip().lower()


def find_user(session: Session, username: str) -> User | None:
    """The user with this username (any case), or None."""
    return session.scalar(select(User).where(User.username == normalize_username(username)))


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


def create_user(
    session: Session, username: str, password: str, role: str, *, now: datetime
) -> User:
    """A new central user; raises ValidationFailed naming every bad field."""
    username = normalize_username(username)
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
    if errors:
        raise ValidationFailed("The user cannot be created.", errors)
    user = User(
        username=username,
        role=role,
        password_hash=PASSWORD_HASHER.hash(password),
        password_changed_at=as_utc(now),
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        if user in session:
            session.expunge(user)
        raise ValidationFailed(
            "The user cannot be created.", {"username": "This username is taken."}
        ) from None
    logger.info("Created central user %s with role %s", user.id, role)
    return user


def authenticate(session: Session, username: str, password: str, *, now: datetime) -> User:
    """The user these credentials belong to; raises AuthenticationFailed.

    The fifth failure in a row locks the account for LOCKOUT; while locked, every attempt fails
    like a wrong password. The count and the lock are flushed before raising: the caller must
    commit them although the sign-in failed.
    """
    now = as_utc(now)
    user = find_user(session, username)
    # Verify even without a user, so the timing does not tell which usernames exist.
    password_ok = _verify(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.active or _is_locked(user, now):
        logger.info("Refused sign-in (unknown, disabled or locked account)")
        raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
    if not password_ok:
        user.failed_login_count = User.failed_login_count + 1
        session.flush()
        if user.failed_login_count >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_login_count = 0
            logger.warning("Central user %s locked after failed sign-ins", user.id)
        session.flush()
        raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = PASSWORD_HASHER.hash(password)
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    logger.info("Central user %s signed in", user.id)
    return user


def open_session(session: Session, user: User, kind: str, *, now: datetime) -> str:
    """A new web session or API token for the user; returns the raw token (shown once)."""
    now = as_utc(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    lifetime = API_TOKEN_MAX_AGE if kind == API else WEB_IDLE_TIMEOUT
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


def user_for_token(session: Session, token: str, *, kind: str, now: datetime) -> CentralUser | None:
    """The active user of a live session or token of this kind, or None; slides a web expiry."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    now = as_utc(now)
    record = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if (
        record is None
        or record.kind != kind
        or record.revoked_at is not None
        or as_utc(record.expires_at) <= now
        or not record.user.active
    ):
        return None
    if kind == WEB and now - as_utc(record.last_seen_at) >= TOUCH_INTERVAL:
        record.last_seen_at = now
        record.expires_at = min(now + WEB_IDLE_TIMEOUT, as_utc(record.created_at) + WEB_MAX_AGE)
        session.flush()
    user = record.user
    return CentralUser(user.id, user.username, user.role)


def revoke_session(session: Session, token: str, *, now: datetime) -> bool:
    """End the session of this token; False when it was unknown or already ended."""
    record = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = as_utc(now)
    session.flush()
    return True


def set_password(session: Session, user: User, password: str, *, now: datetime) -> int:
    """Give the user a new password, unlock them, and end every session and token they had;
    returns how many were live (whoever knew the old password may be signed in)."""
    if problem := password_problem(password, user.username):
        raise ValidationFailed("The password is too weak.", {"password": problem})
    now = as_utc(now)
    user.password_hash = PASSWORD_HASHER.hash(password)
    user.password_changed_at = now
    user.failed_login_count = 0
    user.locked_until = None
    revoked = _revoke_all(session, user, now)
    session.flush()
    logger.info("Central user %s has a new password, %d sessions revoked", user.id, revoked)
    return revoked


def disable_user(session: Session, user: User, *, now: datetime) -> int:
    """Stop the user signing in and end every session and token they had; how many were live."""
    user.active = False
    revoked = _revoke_all(session, user, as_utc(now))
    session.flush()
    logger.info("Disabled central user %s, %d sessions revoked", user.id, revoked)
    return revoked


def enable_user(session: Session, user: User) -> None:
    """Let a disabled user sign in again, with the password they had (set a new one if it may
    have leaked: `hub set-password`)."""
    user.active = True
    user.failed_login_count = 0
    user.locked_until = None
    session.flush()
    logger.info("Enabled central user %s", user.id)


def _revoke_all(session: Session, user: User, now: datetime) -> int:
    live = session.scalars(
        select(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
    ).all()
    for record in live:
        record.revoked_at = now
    return len(live)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return PASSWORD_HASHER.hash(secrets.token_urlsafe(16))


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > now


def _token_hash(raw_token: str) -> str:
    # SHA-256 without salt is enough: the token is 256 random bits, not a password.
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
