"""The province admin's use-cases: officials' accounts, villages, household counts and the
audit log (the days off are in ``days_off``). Each checks the role, writes the audit log and
flushes; the caller commits.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.audit import AuditEntry
from node.models.snapshots import CommuneHouseholdCount
from node.models.units import Village
from node.models.users import User
from node.services import accounts, audit
from node.services.context import NodeContext
from node.services.errors import NotFound, ValidationFailed
from node.services.identity import normalize_text
from node.services.places import add_village, province_commune
from node.services.scopes import PROVINCE_ADMIN, Official, require_role
from shared.moments import utc_naive
from shared.spreadsheets import csv_writer

logger = logging.getLogger(__name__)

AREAS = ("rural", "urban")
# The columns' lengths (the forms' schemas read them too).
VILLAGE_NAME_MAX = Village.name.property.columns[0].type.length
# A commune has at most a few hundred thousand households; more is a typing slip.
MAX_HOUSEHOLDS = 10_000_000
VILLAGE_CSV_COLUMNS = ("commune_code", "name", "area")
# The same file as an official types it in Vietnamese: "mã xã,tên thôn,khu vực", with "nông
# thôn" or "thành thị" ("đô thị", the 2027–2030 standard's word) for the area.
VILLAGE_CSV_COLUMNS_VI = ("mã xã", "tên thôn", "khu vực")
AREA_WORDS = {"rural": "rural", "urban": "urban", "nông thôn": "rural", "thành thị": "urban",
              "đô thị": "urban"}  # fmt: skip
AUDIT_CSV_COLUMNS = (
    "id", "at", "user_id", "username", "role", "action", "object_type", "object_id",
    "application_id", "household_id", "why", "details",
)  # fmt: skip
VIETNAM_OFFSET = timedelta(hours=7)


def _admin(official: Official) -> None:
    require_role(official, PROVINCE_ADMIN)


# ---------------------------------------------------------------------------------- users


def list_users(session: Session, official: Official) -> list[User]:
    """Every official of the node, by role then username."""
    _admin(official)
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def get_user(session: Session, official: Official, user_id: int) -> User:
    """One official's account; raises NotFound."""
    _admin(official)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def create_user(
    session: Session,
    official: Official,
    context: NodeContext,
    *,
    username: str,
    password: str,
    role: str,
    unit_codes: Iterable[str],
    full_name: str | None = None,
) -> User:
    """A new official (accounts.create_user checks every field), in the audit log."""
    _admin(official)
    user = accounts.create_user(
        session, username, password, role, unit_codes, context.province_code, full_name,
        now=context.now,
    )  # fmt: skip
    audit.record(session, official, "create_user", "user", user.id, context.now,
                 details={"role": role, "units": sorted(user.unit_codes)})  # fmt: skip
    return user


def disable_user(session: Session, official: Official, user: User, context: NodeContext) -> int:
    """Stop the official signing in and end their sessions; the count of sessions ended."""
    _admin(official)
    if user.id == official.user_id:
        raise ValidationFailed("You cannot disable yourself.", {"user": "self"})
    revoked = accounts.disable_user(session, user, now=context.now)
    audit.record(session, official, "disable_user", "user", user.id, context.now)
    return revoked


def enable_user(session: Session, official: Official, user: User, context: NodeContext) -> None:
    """Let a disabled official sign in again."""
    _admin(official)
    user.active = True
    user.failed_login_count = 0
    user.locked_until = None
    audit.record(session, official, "enable_user", "user", user.id, context.now)
    session.flush()


def reset_password(
    session: Session, official: Official, user: User, password: str, context: NodeContext
) -> None:
    """Give the official a new password (told to them in person); ends their sessions."""
    _admin(official)
    accounts.set_password(session, user, password, now=context.now)
    audit.record(session, official, "reset_password", "user", user.id, context.now)


def reset_totp(session: Session, official: Official, user: User, context: NodeContext) -> None:
    """Switch the second factor off (a lost phone); the official may enrol again after signing
    in. Their sessions end, since whoever has the phone may be signed in."""
    _admin(official)
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    for record in user.sessions:
        if record.revoked_at is None:
            record.revoked_at = context.now
    audit.record(session, official, "reset_totp", "user", user.id, context.now)
    session.flush()


# ------------------------------------------------------------------------------- villages


def commune_villages(session: Session, official: Official, commune_code: str) -> list[Village]:
    """Every village of a commune, active or not, by code."""
    _admin(official)
    return list(
        session.scalars(
            select(Village).where(Village.commune_code == commune_code).order_by(Village.code)
        )
    )


def _checked_village_name(name: str) -> str:
    text = normalize_text(name or "")
    if not text:
        raise ValidationFailed("The village needs a name.", {"name": "required"})
    if len(text) > VILLAGE_NAME_MAX:
        raise ValidationFailed("The name is too long.", {"name": "too_long"})
    return text


def _checked_area(area: str | None) -> str | None:
    area = (area or "").strip() or None
    if area is not None and area not in AREAS:
        raise ValidationFailed("Unknown area.", {"area": "rural or urban"})
    return area


def _name_taken(session: Session, commune_code: str, name: str, except_id: int | None) -> bool:
    query = select(Village.id).where(
        Village.commune_code == commune_code,
        Village.active.is_(True),
        func.lower(Village.name) == name.lower(),
    )
    if except_id is not None:
        query = query.where(Village.id != except_id)
    return session.scalar(query.limit(1)) is not None


def create_village(
    session: Session,
    official: Official,
    context: NodeContext,
    commune_code: str,
    name: str,
    area: str | None = None,
) -> Village:
    """A new village of a commune of the province, numbered after the commune's last one."""
    _admin(official)
    province_commune(context.province_code, commune_code)
    name = _checked_village_name(name)
    area = _checked_area(area)
    if _name_taken(session, commune_code, name, None):
        raise ValidationFailed("A village of this name exists.", {"name": "duplicate"})
    village = add_village(session, commune_code, name, area)
    audit.record(session, official, "add_village", "village", village.id, context.now,
                 details={"code": village.code})  # fmt: skip
    return village


def _village(session: Session, village_id: int) -> Village:
    village = session.get(Village, village_id)
    if village is None:
        raise NotFound("No such village.")
    return village


def rename_village(
    session: Session, official: Official, context: NodeContext, village_id: int, name: str
) -> Village:
    """Give a village its new name (a merger, a corrected spelling); its code stays."""
    _admin(official)
    village = _village(session, village_id)
    name = _checked_village_name(name)
    if _name_taken(session, village.commune_code, name, village.id):
        raise ValidationFailed("A village of this name exists.", {"name": "duplicate"})
    village.name = name
    audit.record(session, official, "rename_village", "village", village.id, context.now)
    session.flush()
    return village


def set_village_active(
    session: Session, official: Official, context: NodeContext, village_id: int, active: bool
) -> Village:
    """Deactivate a village (merged or dissolved: residents no longer choose it) or restore it.

    Its households and applications keep pointing at it, so history stays intact.
    """
    _admin(official)
    village = _village(session, village_id)
    if active and _name_taken(session, village.commune_code, village.name, village.id):
        raise ValidationFailed("A village of this name exists.", {"name": "duplicate"})
    village.active = active
    action = "activate_village" if active else "deactivate_village"
    audit.record(session, official, action, "village", village.id, context.now)
    session.flush()
    return village


@dataclass(frozen=True)
class RowError:
    """A problem on one line of an imported file: its number (the header is line 1), a code
    the page turns into words, and the value at fault."""

    row: int
    code: str
    value: str = ""


class ImportFailed(ValidationFailed):
    """The file was refused as a whole; ``rows`` lists every problem found."""

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__("The file was not imported.", {f"row.{e.row}": e.code for e in rows})
        self.rows = rows


def import_villages(
    session: Session, official: Official, context: NodeContext, text: str
) -> list[Village]:
    """Villages from CSV (``commune_code,name[,area]``): all of them, or none and every
    problem listed with its line number."""
    _admin(official)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    errors: list[RowError] = []
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    allowed = [list(columns[:n]) for columns in (VILLAGE_CSV_COLUMNS, VILLAGE_CSV_COLUMNS_VI)
               for n in (2, 3)]  # fmt: skip
    if header not in allowed:
        raise ImportFailed([RowError(1, "header", ",".join(header))])
    wanted: list[tuple[str, str, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) or len(cells) < 2:
            errors.append(RowError(number, "columns", ",".join(cells)))
            continue
        commune_code = cells[0].strip()
        name = normalize_text(cells[1])
        written = " ".join(cells[2].split()).lower() if len(cells) > 2 else ""
        area = AREA_WORDS.get(written, written)
        try:
            province_commune(context.province_code, commune_code)
        except NotFound:
            errors.append(RowError(number, "commune_code", commune_code))
            continue
        if not name:
            errors.append(RowError(number, "name", ""))
            continue
        if len(name) > VILLAGE_NAME_MAX:
            errors.append(RowError(number, "name_too_long", name[:40]))
            continue
        if area and area not in AREAS:
            errors.append(RowError(number, "area", area))
            continue
        key = (commune_code, name.lower())
        if key in seen:
            errors.append(RowError(number, "duplicate", name))
            continue
        seen.add(key)
        if _name_taken(session, commune_code, name, None):
            errors.append(RowError(number, "exists", name))
            continue
        wanted.append((commune_code, name, area or None))
    if not wanted and not errors:
        errors.append(RowError(2, "empty"))
    if errors:
        raise ImportFailed(errors)
    villages = [add_village(session, commune, name, area) for commune, name, area in wanted]
    audit.record(session, official, "import_villages", "village", None, context.now,
                 details={"count": len(villages)})  # fmt: skip
    logger.info("Imported %d villages", len(villages))
    return villages


# ----------------------------------------------------------------------- household counts


def household_counts(session: Session, official: Official, period: int) -> dict[str, int]:
    """Commune code → resident households the admin entered for the period."""
    _admin(official)
    return dict(
        session.execute(
            select(CommuneHouseholdCount.commune_code, CommuneHouseholdCount.households).where(
                CommuneHouseholdCount.period == period
            )
        ).all()
    )


def set_household_counts(
    session: Session,
    official: Official,
    context: NodeContext,
    period: int,
    counts: Mapping[str, int | None],
) -> int:
    """Store the communes' resident households for the period (None removes a figure, so
    rates fall back to the registered households); returns how many figures changed."""
    _admin(official)
    errors = {}
    for code, value in counts.items():
        try:
            province_commune(context.province_code, code)
        except NotFound:
            errors[code] = "commune"
            continue
        if value is not None and (type(value) is not int or not 0 <= value <= MAX_HOUSEHOLDS):
            errors[code] = "count"
    if not 2000 <= period <= 2100:
        errors["period"] = "period"
    if errors:
        raise ValidationFailed("Some figures are not valid.", errors)
    existing = {
        row.commune_code: row
        for row in session.scalars(
            select(CommuneHouseholdCount).where(
                CommuneHouseholdCount.period == period,
                CommuneHouseholdCount.commune_code.in_(sorted(counts)),
            )
        )
    }
    changed = 0
    for code, value in counts.items():
        row = existing.get(code)
        if value is None:
            if row is not None:
                session.delete(row)
                changed += 1
        elif row is None:
            session.add(CommuneHouseholdCount(commune_code=code, period=period, households=value))
            changed += 1
        elif row.households != value:
            row.households = value
            row.updated_at = context.now
            changed += 1
    if changed:
        audit.record(session, official, "set_household_counts", "commune_household_count",
                     None, context.now, details={"period": period, "changed": changed})  # fmt: skip
    session.flush()
    return changed


# ------------------------------------------------------------------------------ audit log


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show: by user, application and a range of days (Vietnam's dates)."""

    user_id: int | None = None
    application_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first, with usernames and the total the filter matches."""

    entries: list[AuditEntry]
    usernames: dict[int, str]
    total: int
    page: int
    per_page: int


def _vietnam_midnight(day: date, days_after: int = 0) -> datetime:
    # Entries are stored in UTC; a day in Vietnam starts at 17:00 UTC the day before. A day at
    # an end of the calendar (a typed 0001-01-01 or 9999-12-31) is the calendar's end, not an
    # OverflowError.
    try:
        return (
            datetime.combine(day, time(), tzinfo=UTC) + timedelta(days=days_after) - VIETNAM_OFFSET
        )
    except OverflowError:
        end = datetime.min if day.year == 1 else datetime.max
        return end.replace(tzinfo=UTC)


def _audit_conditions(where: AuditFilter) -> list[Any]:
    conditions = []
    if where.user_id is not None:
        conditions.append(AuditEntry.user_id == where.user_id)
    if where.application_id is not None:
        conditions.append(AuditEntry.application_id == where.application_id)
    if where.date_from is not None:
        conditions.append(AuditEntry.at >= _vietnam_midnight(where.date_from))
    if where.date_to is not None:
        conditions.append(AuditEntry.at < _vietnam_midnight(where.date_to, days_after=1))
    return conditions


def _usernames(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(User.id, User.username).where(User.id.in_(sorted(ids)))
    return dict(session.execute(query).all())


def audit_page(
    session: Session, official: Official, where: AuditFilter, page: int = 1, per_page: int = 50
) -> AuditPage:
    """A page of the audit log, newest first."""
    _admin(official)
    conditions = _audit_conditions(where)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    page = max(1, page)
    entries = list(
        session.scalars(
            select(AuditEntry)
            .where(*conditions)
            .order_by(AuditEntry.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    names = _usernames(session, {e.user_id for e in entries if e.user_id is not None})
    return AuditPage(entries, names, total, page, per_page)


def audit_csv(
    session: Session, official: Official, where: AuditFilter, context: NodeContext
) -> str:
    """The filtered audit log as CSV, oldest first; the export itself is logged."""
    _admin(official)
    entries = list(
        session.scalars(select(AuditEntry).where(*_audit_conditions(where)).order_by(AuditEntry.id))
    )
    names = _usernames(session, {e.user_id for e in entries if e.user_id is not None})
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(AUDIT_CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.id,
                utc_naive(e.at).isoformat(timespec="seconds") + "Z",
                e.user_id if e.user_id is not None else "",
                names.get(e.user_id, "") if e.user_id is not None else "",
                e.role,
                e.action,
                e.object_type,
                e.object_id if e.object_id is not None else "",
                e.application_id if e.application_id is not None else "",
                e.household_id if e.household_id is not None else "",
                e.why or "",
                json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else "",
            ]
        )
    audit.record(session, official, "export_audit_log", "audit_log", None, context.now,
                 details={"count": len(entries)})  # fmt: skip
    return "\ufeff" + out.getvalue()


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking the audit log's hash chain."""

    entries: int
    broken_at: int | None

    @property
    def intact(self) -> bool:
        """Whether every entry's hash and link check out."""
        return self.broken_at is None


def check_audit_chain(session: Session, official: Official) -> ChainCheck:
    """Recompute the whole chain; says the first entry that does not check out."""
    _admin(official)
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return ChainCheck(count, audit.verify_audit_chain(session))
