"""The province admin's forms: accounts, villages, the communes' household counts, holidays.

The admin pages have no JSON API; their forms load through these schemas all the same, so a
too-long name or a malformed date is refused with the same words as anywhere else, and the
services only judge what needs the records (a username taken, a village name in use).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from node.models.snapshots import PeriodClose
from node.models.users import User
from node.services.admin import AREAS, MAX_HOUSEHOLDS, VILLAGE_NAME_MAX
from node.services.days_off import HOLIDAY_NAME_MAX
from node.services.scopes import ROLES
from shared.web.fields import (
    Boolean,
    Date,
    Dict,
    Integer,
    Strict,
    String,
    Text,
    between,
    column_length,
    length,
    one_of,
)

COMMUNE_CODE = ma.validate.Regexp(r"^[0-9]{5}$", error=_l("Choose a commune."))
HOUSEHOLDS = _l("Enter a whole number of households.")


class PasswordSchema(Strict):
    """A new password (told to the official in person); the service judges its strength."""

    password = String(required=True, load_only=True, validate=length(1024, 1))


class NewUserSchema(PasswordSchema):
    """A new official: username, name, role, units and a first password."""

    username = String(required=True, validate=length(column_length(User.username), 1))
    full_name = Text(
        load_default=None, allow_none=True, validate=length(column_length(User.full_name))
    )
    role = String(required=True, validate=one_of(ROLES))
    units = Text(
        load_default="",
        validate=length(2000),
        metadata={"description": "unit codes separated by spaces or commas"},
    )

    @ma.post_load
    def unit_codes(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        units = data.pop("units") or ""
        data["unit_codes"] = [code for code in units.replace(",", " ").split() if code]
        return data


class _InCommune(Strict):
    commune = String(required=True, validate=COMMUNE_CODE)


class VillageSchema(_InCommune):
    """A new village of a commune."""

    name = Text(required=True, validate=length(VILLAGE_NAME_MAX, 1))
    area = String(load_default=None, allow_none=True, validate=one_of(AREAS))


class VillageNameSchema(_InCommune):
    """A village's new name."""

    name = Text(required=True, validate=length(VILLAGE_NAME_MAX, 1))


class VillageActiveSchema(_InCommune):
    """Deactivate a village, or restore it."""

    active = Boolean(required=True)


class VillageImportSchema(Strict):
    """The commune a village import came from (the file itself travels beside the form)."""

    commune = String(load_default=None, allow_none=True, validate=COMMUNE_CODE)


class HouseholdCountsSchema(Strict):
    """The communes' resident households for a period; an empty figure removes it."""

    period = Integer(required=True, validate=between(2000, 2100))
    counts = Dict(
        keys=String(validate=COMMUNE_CODE),
        values=Integer(
            allow_none=True,
            validate=between(0, MAX_HOUSEHOLDS),
            error_messages={"invalid": HOUSEHOLDS},
        ),
        load_default=dict,
    )


class HolidaySchema(Strict):
    """A day off of the working-day calendar."""

    day = Date(required=True, error_messages={"required": _l("Enter the date.")})
    name = Text(
        required=True,
        validate=length(HOLIDAY_NAME_MAX, 1),
        error_messages={"required": _l("Give the day off a short name, e.g. Tết Nguyên đán.")},
    )


class ClosePeriodSchema(Strict):
    """The province's approval of a period's results: the period, the decision's number and date.

    The service normalises and judges the number (closed pattern, e.g. 123/QĐ-UBND) and the date
    against the period and today."""

    period = Integer(required=True, validate=between(2000, 2100))
    decision_number = Text(
        required=True,
        validate=length(column_length(PeriodClose.decision_number), 1),
        error_messages={"required": _l("Enter the decision's number, e.g. 123/QĐ-UBND.")},
    )
    decided_on = Date(required=True, error_messages={"required": _l("Enter the date.")})
