"""The field app's bodies and answers (issue 15): a device registered and listed, the work a
phone downloads. The verification and meeting a phone sends are the review's own bodies
(node.schemas.review)."""

from __future__ import annotations

import marshmallow as ma

from node.models.devices import Device
from node.schemas.applications import AssessmentSchema
from node.schemas.facts import facts_json_schema
from shared.web.fields import Strict, Text, column_length, length


class DeviceRequestSchema(Strict):
    """A device to register: the official's own name for it."""

    label = Text(required=True, validate=length(column_length(Device.label)))


class DeviceSchema(ma.Schema):
    """A registered device (its public id only in the registration's answer)."""

    id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    label = ma.fields.String()
    registered_at = ma.fields.DateTime()
    last_seen_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)


class DeviceRegisteredSchema(DeviceSchema):
    """The new device, with the id the phone sends as X-Device-Id."""

    public_id = ma.fields.String()


class DeviceListSchema(ma.Schema):
    """Devices: an administrator's every one, an official's own."""

    items = ma.fields.List(ma.fields.Nested(DeviceSchema))


class VerificationOnFileSchema(ma.Schema):
    """The last verification of a household, if any (a phone shows it beside its own)."""

    facts = ma.fields.Dict(metadata=facts_json_schema())
    identities = ma.fields.List(ma.fields.Dict())
    address = ma.fields.String(allow_none=True)
    assessment = ma.fields.Nested(AssessmentSchema)


class FieldHouseholdSchema(ma.Schema):
    """A household to verify, with what the resident declared."""

    id = ma.fields.Integer()
    version = ma.fields.Integer()
    tracking_code = ma.fields.String()
    kind = ma.fields.String()
    period = ma.fields.Integer()
    status = ma.fields.String()
    village_code = ma.fields.String(allow_none=True)
    village_name = ma.fields.String(allow_none=True)
    applicant_name = ma.fields.String()
    applicant_citizen_id = ma.fields.String(allow_none=True)
    declared_facts = ma.fields.Dict(metadata=facts_json_schema())
    self_assessment = ma.fields.Nested(AssessmentSchema)
    verification = ma.fields.Nested(VerificationOnFileSchema, allow_none=True)
    asked = ma.fields.Dict(metadata={"description": "the household steps and member questions"})


class VillageListSchema(ma.Schema):
    """One village's households waiting for its meeting, or on its posting list."""

    village_code = ma.fields.String(allow_none=True)
    village_name = ma.fields.String(allow_none=True)
    commune_code = ma.fields.String()
    households = ma.fields.List(ma.fields.Dict())


class MeetingRuleSchema(ma.Schema):
    """The share of attendees who must agree (numerator/denominator: at least 1/2)."""

    numerator = ma.fields.Integer()
    denominator = ma.fields.Integer()


class FieldOfficialSchema(ma.Schema):
    """Whose work it is (the phone keeps it for that official only)."""

    user_id = ma.fields.Integer()
    username = ma.fields.String()
    role = ma.fields.String()


class FieldWorkSchema(ma.Schema):
    """What a phone takes to the field (GET /api/v1/field-work)."""

    official = ma.fields.Nested(FieldOfficialSchema)
    today = ma.fields.Date()
    meeting_rule = ma.fields.Nested(MeetingRuleSchema)
    households = ma.fields.List(ma.fields.Nested(FieldHouseholdSchema))
    meetings = ma.fields.List(ma.fields.Nested(VillageListSchema))
    postings = ma.fields.List(ma.fields.Nested(VillageListSchema))
