"""Who may see and do what (DESIGN §2): roles, their units, and the scope checks services apply.

Every service that reads or changes an application for an official takes an ``Official`` and
checks it here, so no list, detail, action, report or export can reach outside the official's
units — whatever the view forgot.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, select, true

from node.models.applications import Application
from node.models.units import Village
from node.services.errors import NotFound

# Re-exported: the services ask this module for every role and scope check.
from shared.errors import Forbidden, require_role  # noqa: F401

VILLAGE_HEAD = "village_head"
COMMUNE_OFFICER = "commune_officer"
COMMUNE_CHAIR = "commune_chair"
PROVINCE_OFFICER = "province_officer"
PROVINCE_ADMIN = "province_admin"
ROLES = (VILLAGE_HEAD, COMMUNE_OFFICER, COMMUNE_CHAIR, PROVINCE_OFFICER, PROVINCE_ADMIN)
# The level of unit each role is attached to.
ROLE_LEVEL = {
    VILLAGE_HEAD: "village",
    COMMUNE_OFFICER: "commune",
    COMMUNE_CHAIR: "commune",
    PROVINCE_OFFICER: "province",
    PROVINCE_ADMIN: "province",
}


@dataclass(frozen=True)
class Official:
    """A signed-in official: role and units (a province, one commune, or villages of one)."""

    user_id: int
    username: str
    role: str
    unit_codes: frozenset[str]

    @property
    def level(self) -> str:
        """``province``, ``commune`` or ``village``."""
        return ROLE_LEVEL[self.role]

    @property
    def commune_code(self) -> str | None:
        """The commune a commune-level or village-level official works in."""
        if self.level == "province":
            return None
        return next(iter(self.unit_codes))[:5]

    def sees_commune(self, commune_code: str) -> bool:
        """Whether the commune is inside this official's scope (wholly or in part)."""
        return self.level == "province" or self.commune_code == commune_code


def application_scope(official: Official) -> ColumnElement[bool]:
    """A WHERE clause limiting applications to the official's scope."""
    if official.level == "province":
        # A node holds one province; every application in it is in scope.
        return true()
    if official.level == "commune":
        return Application.commune_code == official.commune_code
    if not official.unit_codes:
        return false()
    villages = select(Village.id).where(Village.code.in_(sorted(official.unit_codes)))
    return Application.village_id.in_(villages.scalar_subquery())


def not_in_scope() -> NotFound:
    """What an official gets for a record outside their scope: the same as for no record."""
    return NotFound("No application with this id is in your area.")
