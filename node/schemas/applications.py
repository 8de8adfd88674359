"""Residents' applications: the submission, the proof that it is the applicant, what they see
of it, and the standards engine's assessment (DESIGN §4–5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from node.models.applications import KINDS
from node.models.units import Village
from node.schemas.facts import facts_json_schema
from node.services import identity
from shared.web.fields import (
    Date,
    Dict,
    Nested,
    Strict,
    String,
    column_length,
    length,
    one_of,
)


def _normalized(normalize: Callable[[str], str | None], message: Any) -> type[String]:
    """A string field that stores what ``normalize`` returns, or fails with ``message``."""

    class Normalized(String):
        def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
            text = super()._deserialize(value, attr, data, **kwargs)
            result = normalize(text)
            if result is None:
                raise ma.ValidationError(str(message))
            return result

    return Normalized


NameField = _normalized(identity.normalize_name, _l("Enter the full name (letters only)."))
CitizenIdField = _normalized(identity.normalize_citizen_id, _l("Must be 12 digits."))
PhoneField = _normalized(identity.normalize_phone, _l("Must be a Vietnamese phone number."))
CONSENT_REQUIRED = _l("Consent to personal data processing is required.")


def _must_be_true(value: object) -> None:
    if value is not True:
        raise ma.ValidationError(str(CONSENT_REQUIRED))


class ApplicantSchema(Strict):
    """Who applies: the head of household or a member on the household's behalf."""

    full_name = NameField(required=True, metadata={"example": "Nguyễn Thị Lan"})
    citizen_id = CitizenIdField(required=True, metadata={"example": "001190012345"})
    phone = PhoneField(required=True, metadata={"example": "0912345678"})


class ApplicationRequestSchema(Strict):
    """The body of POST /api/v1/applications (DESIGN §5)."""

    commune_code = String(
        required=True,
        validate=ma.validate.Regexp(r"^[0-9]{5}$", error=_l("Enter a commune code.")),
        metadata={"example": "00070"},
    )
    village_code = String(
        load_default=None, allow_none=True, validate=length(column_length(Village.code))
    )
    kind = String(required=True, validate=one_of(KINDS))
    applicant = Nested(ApplicantSchema, required=True)
    # Checked by the standards engine when the application is submitted.
    household = Dict(required=True, metadata=facts_json_schema())
    consent = ma.fields.Raw(
        required=True,
        validate=_must_be_true,
        error_messages={"required": CONSENT_REQUIRED},
        metadata={"type": "boolean", "description": "must be true: the resident agreed"},
    )
    # Absent unless given, so the fingerprint of every other request stays what it was.
    paper_dated_on = Date(
        metadata={
            "description": "a commune officer filing a paper form: the date the paper bears "
            "(today or up to a year before); refused from anyone else"
        },
    )


class AssessmentSchema(ma.Schema):
    """An assessment by the standards engine (DESIGN §4)."""

    standard_id = ma.fields.String()
    period = ma.fields.Integer()
    area = ma.fields.String()
    income_per_capita = ma.fields.Integer()
    income_line = ma.fields.Integer()
    average_line = ma.fields.Integer(allow_none=True)
    deprivations = ma.fields.List(ma.fields.String())
    deprivation_count = ma.fields.Integer()
    deprivation_score = ma.fields.Integer()
    classification = ma.fields.String()
    average_livelihood = ma.fields.Boolean(
        metadata={
            "description": "on the list of farming, forestry, fishery and salt households with an"
            " average living standard (Decision 24/2021 Art. 3): class `average` and a"
            " `main_income_source` among agriculture, forestry, fishery, salt"
        }
    )
    low_income_line = ma.fields.Integer(
        allow_none=True,
        metadata={
            "description": "the low-income workers' line for the area (Decree 30/2025), VND a"
            " person a month; null where the standard sets none (VN-2027-2030)"
        },
    )
    low_income_workers = ma.fields.List(
        ma.fields.Integer(),
        metadata={
            "description": "0-based indexes of the members who are low-income workers: of working"
            " age and in the labour force (provisional), in a household neither poor nor"
            " near-poor whose income per person is at or below `low_income_line`"
        },
    )
    reasons = ma.fields.List(ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()))


class ApplicationCreatedSchema(ma.Schema):
    """The answer to a submission; a retry with the same Idempotency-Key gets it again."""

    tracking_code = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    kind = ma.fields.String()
    period = ma.fields.Integer()
    assessment = ma.fields.Nested(AssessmentSchema)


class HistoryEntrySchema(ma.Schema):
    """One step of an application's history."""

    at = ma.fields.String()
    action = ma.fields.String()
    status = ma.fields.String()


class ApplicationStatusSchema(ma.Schema):
    """What the applicant sees of their application."""

    tracking_code = ma.fields.String()
    kind = ma.fields.String()
    channel = ma.fields.String()
    status = ma.fields.String()
    outcome = ma.fields.String(allow_none=True)
    period = ma.fields.Integer()
    commune_code = ma.fields.String()
    submitted_at = ma.fields.String()
    due_on = ma.fields.String(
        allow_none=True,
        metadata={"description": "the next deadline: the chair decides by this date (ISO)"},
    )
    assessment = ma.fields.Nested(AssessmentSchema)
    history = ma.fields.List(ma.fields.Nested(HistoryEntrySchema))
    access_log = ma.fields.List(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()),
        metadata={"description": "who (by role) read or changed the file, and when"},
    )
    requests = ma.fields.List(
        ma.fields.Dict(),
        metadata={"description": "the applicant's requests about their data, with the answers"},
    )


class ApplicantProofSchema(Strict):
    """The phone or the ID number given at submission: either proves it is the applicant."""

    phone = PhoneField()
    citizen_id = CitizenIdField()

    @ma.validates_schema
    def needs_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("phone") and not data.get("citizen_id"):
            raise ma.ValidationError(
                str(_l("Give the phone or the ID number used at submission.")), "phone"
            )


class ApplicantRecordSchema(ma.Schema):
    """The applicant as the node holds them."""

    full_name = ma.fields.String()
    citizen_id = ma.fields.String()
    phone = ma.fields.String()


class VerificationRecordSchema(ma.Schema):
    """What the reviewer recorded at the household."""

    verified_at = ma.fields.String()
    facts = ma.fields.Dict()
    identities = ma.fields.List(ma.fields.Dict())
    head_address = ma.fields.String(allow_none=True)
    classification = ma.fields.String()
    standard_id = ma.fields.String()


class MemberRecordSchema(ma.Schema):
    """A member of a decided household."""

    full_name = ma.fields.String()
    citizen_id = ma.fields.String(allow_none=True)
    birth_date = ma.fields.String()
    sex = ma.fields.String()
    relation = ma.fields.String()
    ethnicity = ma.fields.String(allow_none=True)


class HouseholdStatusRecordSchema(ma.Schema):
    """The household's recognised class for one period."""

    period = ma.fields.Integer()
    classification = ma.fields.String()
    standard_id = ma.fields.String()
    decided_on = ma.fields.String()


class HouseholdRecordSchema(ma.Schema):
    """The household's record once decided."""

    head_name = ma.fields.String()
    head_citizen_id = ma.fields.String()
    address = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    ethnic_minority = ma.fields.Boolean()
    members = ma.fields.List(ma.fields.Nested(MemberRecordSchema))
    statuses = ma.fields.List(ma.fields.Nested(HouseholdStatusRecordSchema))


class ConsentRecordSchema(ma.Schema):
    """The consent given with the application."""

    purpose = ma.fields.String()
    text_version = ma.fields.String()
    given_at = ma.fields.String()


class ChangeRecordSchema(ma.Schema):
    """One change to the application: when, by which role, from which status to which."""

    at = ma.fields.String()
    role = ma.fields.String()
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()


class ApplicantDataSchema(ma.Schema):
    """Everything the node holds about the people of an application (DESIGN §5, my-data)."""

    application = ma.fields.Nested(ApplicationStatusSchema)
    applicant = ma.fields.Nested(ApplicantRecordSchema)
    declared_facts = ma.fields.Dict()
    verifications = ma.fields.List(ma.fields.Nested(VerificationRecordSchema))
    household = ma.fields.Nested(HouseholdRecordSchema, allow_none=True)
    consent = ma.fields.Nested(ConsentRecordSchema, allow_none=True)
    changes = ma.fields.List(
        ma.fields.Nested(ChangeRecordSchema),
        metadata={"description": "every change to the application, by role and time"},
    )
    access_log = ma.fields.List(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()),
        metadata={"description": "who (by role) read or changed the file, and when"},
    )
    requests = ma.fields.List(
        ma.fields.Dict(),
        metadata={"description": "the applicant's requests about their data, with the answers"},
    )
