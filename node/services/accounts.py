"""Officials' accounts: the shared account core (``shared.web.accounts``) bound to the node's
users and sessions, plus what only officials have — units of work and the ``Official`` that
services take.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from node.models.units import Village
from node.models.users import User, UserSession, UserUnit
from node.services.errors import NotFound, ValidationFailed
from node.services.scopes import ROLE_LEVEL, ROLES, Official
from shared import units
from shared.moments import as_utc

# The account core's constants and errors, for this module's callers.
from shared.web.accounts import *  # noqa: F403
from shared.web.accounts import Accounts, hash_password, normalize_username

VILLAGE_CODE_PATTERN = re.compile(r"[0-9]{5}-[0-9]{3}")
TOTP_ISSUER = "giamngheo"
FULL_NAME_MAX_LENGTH = 200

# The official's units come with the session, in the same lookup.
ACCOUNTS = Accounts(
    User,
    UserSession,
    label="user",
    totp_issuer=TOTP_ISSUER,
    session_options=(selectinload(UserSession.user).selectinload(User.units),),
)


def __getattr__(name: str) -> Any:
    """The account operations (authenticate, open_session, set_password…) are ACCOUNTS'."""
    return getattr(ACCOUNTS, name)


def get_user(session: Session, username: str) -> User:
    """The user with this username; raises NotFound."""
    user = ACCOUNTS.find_user(session, username)
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
    errors = ACCOUNTS.credential_problems(session, username, password)
    if role not in ROLES:
        errors["role"] = f"Must be one of: {', '.join(ROLES)}."
    else:
        try:
            codes = _checked_units(session, role, codes, province_code)
        except ValueError as error:
            errors["unit_codes"] = str(error)
    name = (full_name or "").strip() or None
    if name is not None and len(name) > FULL_NAME_MAX_LENGTH:
        errors["full_name"] = f"At most {FULL_NAME_MAX_LENGTH} characters."
    if errors:
        raise ValidationFailed("The user cannot be created.", errors)
    user = User(
        username=username,
        full_name=name,
        role=role,
        password_hash=hash_password(password),
        password_changed_at=now,
        units=[UserUnit(unit_code=code) for code in codes],
    )
    return ACCOUNTS.add_user(session, user, message="The user cannot be created.")


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
    if not re.fullmatch(r"[0-9]{5}", code):
        raise ValueError(f"{code} is not a commune code (5 digits).")
    if not units.is_commune_code(code):
        raise ValueError(f"No commune has the code {code}.")
    if units.commune(code).province_code != province_code:
        raise ValueError(f"The commune {code} is not in province {province_code}.")


def official_for_token(
    session: Session, raw_token: str, *, now: datetime, kind: str | None = None
) -> Official | None:
    """The official a live token stands for, or None (unknown, revoked, expired, disabled)."""
    record = ACCOUNTS.live_session(session, raw_token, now=now, kind=kind)
    return None if record is None else official_for_user(record.user)


def official_for_user(user: User) -> Official:
    """The user as the services' Official: id, username, role and unit codes."""
    return Official(
        user_id=user.id, username=user.username, role=user.role, unit_codes=user.unit_codes
    )
