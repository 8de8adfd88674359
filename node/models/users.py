"""Officials' accounts: users, the units each works in, and their server-side sessions."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.personal import personal_column
from shared.web.models import (
    SESSION_KINDS,
    AccountColumns,
    SessionColumns,
    lower_case_username,
    one_of,
)

# The same tuple as node.services.scopes.ROLES (a test checks): models cannot import services,
# which import the models.
ROLES = (
    "village_head",
    "commune_officer",
    "commune_chair",
    "province_officer",
    "province_admin",
)


class User(AccountColumns, db.Model):
    """An official who signs in: one role, and the units it applies to (see UserUnit)."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES), lower_case_username())

    full_name: Mapped[str | None] = personal_column(String(200))

    units: Mapped[list[UserUnit]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserUnit.unit_code"
    )
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")

    @property
    def unit_codes(self) -> frozenset[str]:
        """The codes of the units this official works in."""
        return frozenset(unit.unit_code for unit in self.units)


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


class UserSession(SessionColumns, db.Model):
    """A web session or an API token of an official."""

    __tablename__ = "user_sessions"
    __table_args__ = (one_of("kind", SESSION_KINDS),)

    user: Mapped[User] = relationship(back_populates="sessions")
