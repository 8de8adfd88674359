"""Central users' accounts: the shared account core (``shared.web.accounts``) bound to the
hub's users and sessions, and the ``CentralUser`` the views take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.models.users import ROLES, User, UserSession
from hub.services.errors import ValidationFailed
from shared.moments import as_utc

# The account core's constants and errors, for this module's callers.
from shared.web.accounts import *  # noqa: F403
from shared.web.accounts import Accounts, hash_password, normalize_username

TOTP_ISSUER = "giamngheo hub"

ACCOUNTS = Accounts(User, UserSession, label="central user", totp_issuer=TOTP_ISSUER)


def __getattr__(name: str) -> Any:
    """The account operations (authenticate, open_session, set_password…) are ACCOUNTS'."""
    return getattr(ACCOUNTS, name)


@dataclass(frozen=True)
class CentralUser:
    """Who signs a request: the user's id, username and role."""

    user_id: int
    username: str
    role: str


def central_user(user: User) -> CentralUser:
    """The user as the views take it."""
    return CentralUser(user.id, user.username, user.role)


def create_user(
    session: Session, username: str, password: str, role: str, *, now: datetime
) -> User:
    """A new central user; raises ValidationFailed naming every bad field."""
    username = normalize_username(username)
    errors = ACCOUNTS.credential_problems(session, username, password)
    if role not in ROLES:
        errors["role"] = f"Must be one of: {', '.join(ROLES)}."
    if errors:
        raise ValidationFailed("The user cannot be created.", errors)
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password),
        password_changed_at=as_utc(now),
    )
    return ACCOUNTS.add_user(session, user, message="The user cannot be created.")


def user_for_token(session: Session, token: str, *, kind: str, now: datetime) -> CentralUser | None:
    """The active user of a live session or token of this kind, or None; slides a web expiry."""
    record = ACCOUNTS.live_session(session, token, now=now, kind=kind)
    return None if record is None else central_user(record.user)
