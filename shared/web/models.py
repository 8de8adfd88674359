"""What the two apps' tables have in common: the constraint naming convention, and the columns
of users and of their server-side sessions (SQLAlchemy only, no Flask)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

# Named constraints, so migrations can drop and alter them by name on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SESSION_KINDS = ("web", "api")


def new_metadata() -> MetaData:
    """A MetaData of one app's own (node and hub never share one), with the naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A CHECK constraint named after the column: its value is one of ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


def lower_case_username() -> CheckConstraint:
    """Usernames compare case-insensitively because they are stored lower-case only."""
    return CheckConstraint("username = lower(username)", name="username_lower_case")


class AccountColumns:
    """The columns of a user who signs in: password, lockout, second factor, moments."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(30))
    # argon2id, parameters inside the hash (PHC string), so old hashes still verify.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Base32 TOTP secret once enrolment is confirmed; the pending one waits for a correct code,
    # so restarting enrolment never switches the second factor off.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    # The last accepted TOTP time step: a code is good once (RFC 6238 §5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def totp_enabled(self) -> bool:
        """Whether signing in needs a TOTP code."""
        return self.totp_secret is not None


class SessionColumns:
    """A web session or an API token; only the SHA-256 of the random token is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Both apps call their users' table "users".
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
