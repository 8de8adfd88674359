"""marshmallow schemas of the node's JSON API."""

import marshmallow as ma

from node.services import identity


class HealthSchema(ma.Schema):
    """Whether the app and its database answer."""

    status = ma.fields.String(required=True, metadata={"description": "ok or error"})
    db = ma.fields.String(required=True, metadata={"description": "ok or error"})


class UnitSchema(ma.Schema):
    """An administrative unit: a commune of the province, or a village of a commune."""

    code = ma.fields.String(required=True, metadata={"example": "00070"})
    name = ma.fields.String(required=True)
    level = ma.fields.String(required=True, metadata={"description": "commune or village"})
    parent_code = ma.fields.String(required=True, allow_none=True)
    area = ma.fields.String(metadata={"description": "rural or urban: which income line applies"})


class UnitListSchema(ma.Schema):
    """Units under a parent."""

    items = ma.fields.List(ma.fields.Nested(UnitSchema), required=True)


class UnitQuerySchema(ma.Schema):
    """Which units to list."""

    class Meta:
        # Unknown query parameters are ignored (as webargs does for the query string anyway).
        unknown = ma.EXCLUDE

    parent = ma.fields.String(
        metadata={"description": "a commune code to list its villages; omit for the communes"}
    )


def _normalized(normalize, message: str):
    """A marshmallow String field that stores what ``normalize`` returns, or fails with message."""

    class Normalized(ma.fields.String):
        def _deserialize(self, value, attr, data, **kwargs):
            text = super()._deserialize(value, attr, data, **kwargs)
            result = normalize(text)
            if result is None:
                raise ma.ValidationError(message)
            return result

    return Normalized


NameField = _normalized(identity.normalize_name, "Enter the full name (letters only).")
CitizenIdField = _normalized(identity.normalize_citizen_id, "Must be 12 digits.")
PhoneField = _normalized(identity.normalize_phone, "Must be a Vietnamese phone number.")


def _must_be_true(value: object) -> None:
    if value is not True:
        raise ma.ValidationError("Consent to personal data processing is required.")


class ApplicantSchema(ma.Schema):
    """Who applies: the head of household or a member on the household's behalf."""

    class Meta:
        unknown = ma.RAISE

    full_name = NameField(required=True, metadata={"example": "Nguyễn Thị Lan"})
    citizen_id = CitizenIdField(required=True, metadata={"example": "001190012345"})
    phone = PhoneField(required=True, metadata={"example": "0912345678"})


class ApplicationRequestSchema(ma.Schema):
    """The body of POST /api/v1/applications (DESIGN §5)."""

    class Meta:
        unknown = ma.RAISE

    commune_code = ma.fields.String(
        required=True, validate=ma.validate.Regexp(r"^\d{5}$"), metadata={"example": "00070"}
    )
    village_code = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=20)
    )
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(["enter", "exit"]))
    applicant = ma.fields.Nested(ApplicantSchema, required=True)
    household = ma.fields.Dict(
        required=True, metadata={"description": "household facts (RULES §4), as for assessments"}
    )
    consent = ma.fields.Raw(
        required=True,
        validate=_must_be_true,
        metadata={"type": "boolean", "description": "must be true: the resident agreed"},
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
    assessment = ma.fields.Nested(AssessmentSchema)
    history = ma.fields.List(ma.fields.Nested(HistoryEntrySchema))
    access_log = ma.fields.List(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()),
        metadata={"description": "who (by role) read or changed the file, and when"},
    )


class ApplicantProofSchema(ma.Schema):
    """The phone or the ID number given at submission: either proves it is the applicant."""

    class Meta:
        unknown = ma.RAISE

    phone = PhoneField()
    citizen_id = CitizenIdField()

    @ma.validates_schema
    def needs_one(self, data, **kwargs):
        if not data.get("phone") and not data.get("citizen_id"):
            raise ma.ValidationError("Give the phone or the ID number used at submission.", "phone")


class TokenRequestSchema(ma.Schema):
    """The body of POST /api/v1/auth/token: an official's credentials."""

    class Meta:
        unknown = ma.RAISE

    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(min=1, max=1024)
    )
    totp = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=16),
        metadata={"description": "the 6-digit code of the authenticator app, if enabled"},
    )


class TokenSchema(ma.Schema):
    """A new bearer token; it is shown this once (the node keeps only its hash)."""

    token = ma.fields.String(required=True)
    expires_at = ma.fields.DateTime(required=True)
    role = ma.fields.String(required=True)
    units = ma.fields.List(ma.fields.String(), required=True)


class OfficialSchema(ma.Schema):
    """The signed-in official: role and the units it applies to."""

    username = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    level = ma.fields.String(
        required=True, metadata={"description": "province, commune or village"}
    )
    units = ma.fields.List(ma.fields.String(), required=True)
