"""Central users (the national office) and their server-side sessions and API tokens."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, relationship

from hub.extensions import db
from shared.web.models import (
    SESSION_KINDS,
    AccountColumns,
    SessionColumns,
    lower_case_username,
    one_of,
)

ROLES = ("central_viewer", "central_admin")


class User(AccountColumns, db.Model):
    """A central user: a username, a role, an argon2id hash, the lockout and second factor."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES), lower_case_username())

    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")


class UserSession(SessionColumns, db.Model):
    """A web session or an API token of a central user."""

    __tablename__ = "user_sessions"
    __table_args__ = (one_of("kind", SESSION_KINDS),)

    user: Mapped[User] = relationship(back_populates="sessions")
