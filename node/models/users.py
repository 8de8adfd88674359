"""Officials' accounts: users, the units each works in, and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.personal import personal_column

# The same tuple as node.services.scopes.ROLES (a test checks): models cannot import services,
# which import the models.
ROLES = (
    "village_head",
    "commune_officer",
    "commune_chair",
    "province_officer",
    "province_admin",
)
SESSION_KINDS = ("web", "api")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


class User(db.Model):
    """An official who signs in: one role, and the units it applies to (see UserUnit)."""

    __tablename__ = "users"
    __table_args__ = (
        _one_of("role", ROLES),
        # Usernames compare case-insensitively because they are stored lower-case only.
        CheckConstraint("username = lower(username)", name="username_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = personal_column(String(200))
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

    units: Mapped[list[UserUnit]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserUnit.unit_code"
    )
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")

    @property
    def unit_codes(self) -> frozenset[str]:
        """The codes of the units this official works in."""
        return frozenset(unit.unit_code for unit in self.units)

    @property
    def totp_enabled(self) -> bool:
        """Whether signing in needs a TOTP code."""
        return self.totp_secret is not None


class UserUnit(db.Model):
    """A unit an official works in: the province, one commune, or villages of one commune."""

    __tablename__ = "user_units"
    __table_args__ = (UniqueConstraint("user_id", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint on (user_id, unit_code), which leads with it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # "01" (province), "00070" (commune) or "00070-001" (village, a row of villages).
    unit_code: Mapped[str] = mapped_column(String(20), index=True)

    user: Mapped[User] = relationship(back_populates="units")


class UserSession(db.Model):
    """A web session or an API token; only the SHA-256 of the random token is stored."""

    __tablename__ = "user_sessions"
    __table_args__ = (_one_of("kind", SESSION_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="sessions")
