"""Accounts of people who sign in, for both apps: passwords, lockout, TOTP, sessions.

Sessions live in the database: the browser's cookie or the program's bearer token carries a
random token whose SHA-256 alone is stored, so revoking the row ends the session at once, and a
copy of the table gives nobody a way in. SQLAlchemy only (no Flask): the apps' services use it
through an ``Accounts`` bound to their own user and session models. Like every service, it
flushes and never commits.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import LoaderOption

from shared.errors import ServiceError, ValidationFailed
from shared.moments import as_utc

# What the apps' accounts modules pass on to their callers.
__all__ = [
    "API",
    "API_TOKEN_MAX_AGE",
    "LOCKOUT",
    "MAX_FAILED_LOGINS",
    "PASSWORD_MAX_LENGTH",
    "USERNAME_MAX_LENGTH",
    "WEB",
    "WEB_IDLE_TIMEOUT",
    "WEB_MAX_AGE",
    "Accounts",
    "AuthenticationFailed",
    "TotpRequired",
    "as_utc",
    "normalize_username",
    "password_problem",
]

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
USERNAME_MAX_LENGTH = 64
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 128
# A code from the step before or after the server's is accepted: phones' clocks drift.
TOTP_VALID_WINDOW = 1

# argon2id with the library's defaults (RFC 9106's second recommended option). The tests
# swap in cheaper parameters; a hash made with other parameters is upgraded at the next login.
PASSWORD_HASHER = PasswordHasher()

INVALID_CREDENTIALS = "Wrong username or password."
USERNAME_RULE = (
    "3 to 64 characters: letters a-z, digits, '.', '_', '@' or '-', "
    "starting with a letter or a digit."
)
USERNAME_TAKEN = "This username is taken."


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


def token_hash(raw_token: str) -> str:
    """What is stored of a session token."""
    # SHA-256 without salt is enough here: the token is 256 random bits, not a password.
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def totp_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app scans for this secret."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def totp_step(secret: str, code: str, now: datetime, *, after: int | None) -> int | None:
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


def hash_password(password: str) -> str:
    """The argon2id hash to store (a PHC string: its parameters travel inside it)."""
    return PASSWORD_HASHER.hash(password)


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return PASSWORD_HASHER.hash(secrets.token_urlsafe(16))


class Accounts:
    """The account operations over one app's user model and session model.

    ``user_model`` has the columns of ``shared.web.models.AccountColumns`` and a ``sessions``
    relationship; ``session_model`` those of ``SessionColumns`` and a ``user`` relationship.
    ``session_options`` are loader options for the user a session is looked up with (the node
    loads the official's units in the same round trip).
    """

    def __init__(
        self,
        user_model: type[Any],
        session_model: type[Any],
        *,
        label: str,
        totp_issuer: str,
        session_options: Sequence[LoaderOption] = (),
    ) -> None:
        self.user_model = user_model
        self.session_model = session_model
        self.label = label
        self.totp_issuer = totp_issuer
        self.session_options = tuple(session_options)

    # --------------------------------------------------------------------------- users

    def find_user(self, session: Session, username: str) -> Any | None:
        """The user with this username (any case), or None; a name no account can have (NUL or
        other characters outside the username rule) is not even looked up."""
        username = normalize_username(username)
        if not USERNAME_PATTERN.fullmatch(username):
            return None
        model = self.user_model
        return session.scalar(select(model).where(model.username == username))

    def credential_problems(self, session: Session, username: str, password: str) -> dict[str, str]:
        """What is wrong with a new user's (normalised) username and password, by field."""
        errors: dict[str, str] = {}
        if not USERNAME_PATTERN.fullmatch(username):
            errors["username"] = USERNAME_RULE
        elif self.find_user(session, username) is not None:
            errors["username"] = USERNAME_TAKEN
        if problem := password_problem(password, username):
            errors["password"] = problem
        return errors

    def add_user(self, session: Session, user: Any, *, message: str) -> Any:
        """Insert a new user; losing a race for the username raises ValidationFailed."""
        try:
            # A SAVEPOINT, so losing the race undoes this insert alone.
            with session.begin_nested():
                session.add(user)
        except IntegrityError:
            if user in session:
                session.expunge(user)
            raise ValidationFailed(message, {"username": USERNAME_TAKEN}) from None
        logger.info("Created %s %s with role %s", self.label, user.id, user.role)
        return user

    def authenticate(
        self,
        session: Session,
        username: str,
        password: str,
        totp: str | None = None,
        *,
        now: datetime,
    ) -> Any:
        """The user these credentials belong to; raises AuthenticationFailed (TotpRequired).

        Failed attempts are counted in the database: the fifth in a row locks the account for
        LOCKOUT. While locked, every attempt fails the same way as a wrong password, right
        password or not. The count and the lock are flushed before raising: the caller must
        commit them even though the sign-in failed.
        """
        now = as_utc(now)
        if len(username) > USERNAME_MAX_LENGTH or len(password) > PASSWORD_MAX_LENGTH:
            # No account has such a username or password: refused like a wrong one, unhashed.
            raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
        user = self.find_user(session, username)
        if user is None or not user.active or not self._take_attempt(session, user, now):
            # Verify anyway, so the answer's timing tells neither which usernames exist nor
            # which accounts are locked.
            _verify_password(_dummy_hash(), password)
            logger.info("Refused a %s sign-in (unknown, disabled or locked account)", self.label)
            raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
        if not _verify_password(user.password_hash, password):
            self._failed(session, user, now)
            raise AuthenticationFailed(INVALID_CREDENTIALS, {"password": INVALID_CREDENTIALS})
        if user.totp_secret is not None:
            user.totp_last_step = self._second_factor(session, user, totp, now)
        if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_login_count = 0
        user.locked_until = None
        user.last_login_at = now
        session.flush()
        logger.info("%s %s signed in", self.label.capitalize(), user.id)
        return user

    def _take_attempt(self, session: Session, user: Any, now: datetime) -> bool:
        """Count this attempt as a failure before the password is checked; False when the
        account is locked.

        One UPDATE reads the lock and adds to the count: concurrent sign-ins wait for each
        other's row lock (PostgreSQL) or write lock (SQLite) there, so a burst of guesses gets
        no more checks than the lock allows. A success clears the count; a sign-in that only
        learns it needs a code gives its attempt back.
        """
        model = type(user)
        taken = session.execute(
            update(model)
            .where(
                model.id == user.id, or_(model.locked_until.is_(None), model.locked_until <= now)
            )
            .values(failed_login_count=model.failed_login_count + 1)
            .returning(model.failed_login_count)
            .execution_options(synchronize_session=False)
        ).scalar()
        if taken is None:
            return False
        set_committed_value(user, "failed_login_count", taken)
        return True

    def _failed(self, session: Session, user: Any, now: datetime) -> None:
        """The attempt (already counted) failed: the MAX_FAILED_LOGINS-th in a row locks."""
        if user.failed_login_count >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            # After the lock the user gets MAX_FAILED_LOGINS fresh attempts.
            user.failed_login_count = 0
            logger.warning("%s %s locked after failed sign-ins", self.label.capitalize(), user.id)
        session.flush()

    def _second_factor(self, session: Session, user: Any, totp: str | None, now: datetime) -> int:
        """The time step of a right, unused TOTP code; raises TotpRequired or a failure."""
        if not (totp or "").strip():
            # Not a failure: a client learns the second step is needed only with the password.
            user.failed_login_count = type(user).failed_login_count - 1
            session.flush()
            raise TotpRequired(
                "Enter the code from your authenticator app.",
                {"totp": "Enter the code from your authenticator app."},
            )
        step = totp_step(user.totp_secret, totp or "", now, after=user.totp_last_step)
        if step is None:
            # Counted like a wrong password, so the six digits cannot be tried one by one.
            self._failed(session, user, now)
            raise AuthenticationFailed("Wrong code.", {"totp": "Wrong or already used code."})
        return step

    def set_password(
        self,
        session: Session,
        user: Any,
        password: str,
        *,
        now: datetime,
        keep_token: str | None = None,
    ) -> int:
        """Change the password, unlock, and end every other session (``keep_token``'s stays):
        whoever knew the old password may be signed in. Returns how many were ended."""
        if problem := password_problem(password, user.username):
            raise ValidationFailed("The password is too weak.", {"password": problem})
        now = as_utc(now)
        user.password_hash = hash_password(password)
        user.password_changed_at = now
        user.failed_login_count = 0
        user.locked_until = None
        revoked = self.revoke_all(session, user, now=now, keep_token=keep_token)
        session.flush()
        logger.info("%s %s has a new password, %d sessions ended", self.label, user.id, revoked)
        return revoked

    def disable_user(self, session: Session, user: Any, *, now: datetime) -> int:
        """Stop the user signing in and end all their sessions; returns how many were live."""
        user.active = False
        revoked = self.revoke_all(session, user, now=as_utc(now))
        session.flush()
        logger.info("Disabled %s %s, %d sessions ended", self.label, user.id, revoked)
        return revoked

    def enable_user(self, session: Session, user: Any) -> None:
        """Let a disabled user sign in again, with the password they had."""
        user.active = True
        user.failed_login_count = 0
        user.locked_until = None
        session.flush()
        logger.info("Enabled %s %s", self.label, user.id)

    # ----------------------------------------------------------------- second factor

    def start_totp_enrolment(
        self,
        session: Session,
        user: Any,
        *,
        proof: str | None = None,
        now: datetime | None = None,
    ) -> str:
        """A new pending TOTP secret, as the otpauth:// URI an authenticator app scans.

        Replacing a second factor already enabled needs ``proof``: a current code of it, or the
        password — a session left open on a shared computer must not be enough to move the
        second factor to another phone. The enabled one stays in force until confirm_totp
        accepts a code of the new secret.
        """
        moment = now or datetime.now(UTC)
        if user.totp_secret is not None and not self._proves_owner(session, user, proof, moment):
            raise ValidationFailed(
                "Replacing the second factor needs a current code or the password.",
                {"proof": "Enter the code the authenticator app shows now, or your password."},
            )
        secret = pyotp.random_base32()
        user.totp_pending_secret = secret
        session.flush()
        return totp_uri(secret, user.username, self.totp_issuer)

    def _proves_owner(self, session: Session, user: Any, proof: str | None, now: datetime) -> bool:
        """Whether ``proof`` is an unused current code of the user's TOTP or their password; a
        wrong one counts towards the lock, like a wrong sign-in."""
        proof = proof or ""
        if 0 < len(proof) <= PASSWORD_MAX_LENGTH:
            step = totp_step(user.totp_secret, proof, as_utc(now), after=user.totp_last_step)
            if step is not None:
                user.totp_last_step = step
                return True
            if _verify_password(user.password_hash, proof):
                return True
        if proof:
            user.failed_login_count = type(user).failed_login_count + 1
            session.flush()
            self._failed(session, user, as_utc(now))
        return False

    def pending_totp_uri(self, user: Any) -> str:
        """The URI of the enrolment in progress (to show its QR code again)."""
        return totp_uri(user.totp_pending_secret or "", user.username, self.totp_issuer)

    def confirm_totp(self, session: Session, user: Any, code: str, *, now: datetime) -> None:
        """Enable the pending TOTP secret if ``code`` is right for it; raises ValidationFailed."""
        if user.totp_pending_secret is None:
            raise ValidationFailed(
                "No TOTP enrolment is in progress.", {"totp": "Start the enrolment first."}
            )
        step = totp_step(user.totp_pending_secret, code, as_utc(now), after=None)
        if step is None:
            raise ValidationFailed("Wrong code.", {"totp": "Wrong code."})
        user.totp_secret = user.totp_pending_secret
        user.totp_pending_secret = None
        user.totp_last_step = step
        session.flush()
        logger.info("%s %s enabled TOTP", self.label.capitalize(), user.id)

    def reset_totp(self, session: Session, user: Any) -> None:
        """Switch the second factor off (a lost phone): the next sign-in needs the password."""
        user.totp_secret = None
        user.totp_pending_secret = None
        user.totp_last_step = None
        session.flush()
        logger.info("Reset the TOTP of %s %s", self.label, user.id)

    # ------------------------------------------------------------------------ sessions

    def open_session(self, session: Session, user: Any, kind: str, *, now: datetime) -> str:
        """A new session (``web``) or API token (``api``) for the user: the raw token, shown
        once."""
        if kind not in (WEB, API):
            raise ValueError(f"unknown session kind {kind!r}")
        now = as_utc(now)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        lifetime = min(WEB_IDLE_TIMEOUT, WEB_MAX_AGE) if kind == WEB else API_TOKEN_MAX_AGE
        session.add(
            self.session_model(
                user=user,
                token_hash=token_hash(token),
                kind=kind,
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime,
            )
        )
        session.flush()
        return token

    def find_session(self, session: Session, raw_token: str) -> Any | None:
        """The session row of a raw token (live or not), or None."""
        if not raw_token or len(raw_token) > TOKEN_MAX_LENGTH:
            return None
        model = self.session_model
        return session.scalar(
            select(model)
            .where(model.token_hash == token_hash(raw_token))
            .options(*self.session_options)
        )

    def live_session(
        self, session: Session, raw_token: str, *, now: datetime, kind: str | None = None
    ) -> Any | None:
        """The live session of a token (of ``kind`` when given) of an active user, or None.

        A web session's expiry slides with use (WEB_IDLE_TIMEOUT, never past WEB_MAX_AGE); the
        change is flushed, for the caller to commit. A locked account keeps its sessions: the
        lock stops password guessing, and anyone could trigger it, so it must not sign the
        user out.
        """
        now = as_utc(now)
        record = self.find_session(session, raw_token)
        if record is None or (kind is not None and record.kind != kind):
            return None
        if record.revoked_at is not None or as_utc(record.expires_at) <= now:
            return None
        if not record.user.active:
            return None
        if now - as_utc(record.last_seen_at) >= TOUCH_INTERVAL:
            record.last_seen_at = now
            if record.kind == WEB:
                record.expires_at = min(
                    now + WEB_IDLE_TIMEOUT, as_utc(record.created_at) + WEB_MAX_AGE
                )
            session.flush()
        return record

    def revoke_session(self, session: Session, raw_token: str, *, now: datetime) -> bool:
        """End the session of this token; False when it was unknown or already ended."""
        record = self.find_session(session, raw_token)
        if record is None or record.revoked_at is not None:
            return False
        record.revoked_at = as_utc(now)
        session.flush()
        return True

    def revoke_all(
        self, session: Session, user: Any, *, now: datetime, keep_token: str | None = None
    ) -> int:
        """End every live session of the user but ``keep_token``'s; returns how many."""
        model = self.session_model
        keep = token_hash(keep_token) if keep_token else None
        live = session.scalars(
            select(model).where(
                model.user_id == user.id,
                model.revoked_at.is_(None),
                model.expires_at > now,
            )
        ).all()
        revoked = 0
        for record in live:
            if record.token_hash != keep:
                record.revoked_at = now
                revoked += 1
        return revoked
