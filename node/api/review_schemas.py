"""marshmallow schemas of the officials' review API: list filters and each action's body."""

from __future__ import annotations

import marshmallow as ma

# Ids and counts are 32-bit integers in the database: larger numbers are bad input (422), not
# an overflow deep in the driver.
MAX_INT = 2**31 - 1


def _id(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(validate=ma.validate.Range(1, MAX_INT), **kwargs)


def _count(**kwargs) -> ma.fields.Integer:
    # The lower bound is the service's to check, with its own message.
    return ma.fields.Integer(validate=ma.validate.Range(max=1_000_000), **kwargs)


class Strict(ma.Schema):
    """Input schemas refuse fields they do not know: a typo is a 422, not silently ignored."""

    class Meta:
        unknown = ma.RAISE


class Versioned(Strict):
    """Action bodies may carry the version the form was opened at (stale forms get a 409)."""

    version = _id(
        load_default=None,
        metadata={"description": "the application's version when the form was opened"},
    )


class ListQuerySchema(ma.Schema):
    """Filters and paging of the officials' application list."""

    class Meta:
        # Unknown query parameters (a cache-buster, a tracking tag) are ignored, as documented.
        unknown = ma.EXCLUDE

    status = ma.fields.String(
        validate=ma.validate.OneOf(
            ["submitted", "under_review", "meeting_held", "posted", "decided", "withdrawn"]
        )
    )
    commune = ma.fields.String(validate=ma.validate.Regexp(r"^\d{5}$"))
    village = ma.fields.String(validate=ma.validate.Length(max=20))
    kind = ma.fields.String(validate=ma.validate.OneOf(["enter", "exit"]))
    period = ma.fields.Integer(validate=ma.validate.Range(2000, 2100))
    overdue = ma.fields.Boolean(load_default=False)
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))


class ApplicationSummarySchema(ma.Schema):
    """One row of the list."""

    id = ma.fields.Integer()
    tracking_code = ma.fields.String()
    kind = ma.fields.String()
    channel = ma.fields.String()
    status = ma.fields.String()
    outcome = ma.fields.String(allow_none=True)
    period = ma.fields.Integer()
    commune_code = ma.fields.String()
    village_code = ma.fields.String(allow_none=True)
    applicant_name = ma.fields.String()
    self_classification = ma.fields.String()
    submitted_at = ma.fields.String()
    due_on = ma.fields.String(allow_none=True)
    overdue = ma.fields.Boolean()
    version = ma.fields.Integer()


class ApplicationPageSchema(ma.Schema):
    """A page of the list."""

    items = ma.fields.List(ma.fields.Nested(ApplicationSummarySchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class ApplicationFileSchema(ApplicationSummarySchema):
    """An application's whole file (see node.services.files.application_file)."""

    applicant = ma.fields.Dict()
    filed_by_id = ma.fields.Integer(allow_none=True)
    assigned_to_id = ma.fields.Integer(allow_none=True)
    household_id = ma.fields.Integer(allow_none=True)
    declared_facts = ma.fields.Dict()
    self_assessment = ma.fields.Dict()
    verification = ma.fields.Dict(allow_none=True)
    comparison = ma.fields.Dict()
    meetings = ma.fields.List(ma.fields.Dict())
    postings = ma.fields.List(ma.fields.Dict())
    complaints = ma.fields.List(ma.fields.Dict())
    duplicates = ma.fields.List(ma.fields.Dict())
    decision = ma.fields.Dict(allow_none=True)
    certificate = ma.fields.Dict(allow_none=True)
    household = ma.fields.Dict(allow_none=True)
    history = ma.fields.List(ma.fields.Dict())
    allowed_actions = ma.fields.List(ma.fields.String())


class StartReviewSchema(Versioned):
    """start_review: take a submitted application into review."""

    assign_to = _id(load_default=None, metadata={"description": "a user id"})


class AssignSchema(Versioned):
    """assign: the village head or officer who will verify."""

    user_id = _id(required=True)


class IdentitySchema(ma.Schema):
    """A member's identity as the reviewer checked it (checked again by the service)."""

    class Meta:
        unknown = ma.RAISE

    full_name = ma.fields.String(required=True)
    citizen_id = ma.fields.String(load_default=None, allow_none=True)
    ethnicity = ma.fields.String(load_default=None, allow_none=True)


class VerifySchema(Versioned):
    """verify: the facts found at the household (RULES §4) and each member's identity."""

    facts = ma.fields.Dict(required=True)
    identities = ma.fields.List(ma.fields.Nested(IdentitySchema), required=True)
    address = ma.fields.String(load_default=None, validate=ma.validate.Length(max=300))


class MeetingActionSchema(Versioned):
    """record_meeting for one household (use POST /api/v1/meetings for a whole list)."""

    held_on = ma.fields.Date(required=True)
    attendees = _count(required=True)
    agreeing = _count(required=True)
    village_code = ma.fields.String(load_default=None)
    chaired_by = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))


class PostActionSchema(Versioned):
    """post: the public posting's dates (the end defaults to the configured working days)."""

    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(load_default=None)


class ComplaintSchema(Versioned):
    """complaint: what was complained about; the household goes back to review."""

    content = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))
    received_on = ma.fields.Date(load_default=None)
    complainant = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))


class DistrictOpinionSchema(Versioned):
    """district_opinion: the optional higher-level opinion."""

    received_on = ma.fields.Date(required=True)
    agrees = ma.fields.Boolean(required=True)
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))


class DecideActionSchema(Versioned):
    """decide: the chair's decision for this household (number and date of the decision)."""

    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=50))
    decided_on = ma.fields.Date(required=True)
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(["recognised", "refused"]))
    reasons = ma.fields.String(load_default=None, validate=ma.validate.Length(max=5000))


class WithdrawActionSchema(Versioned):
    """withdraw: the resident asked the commune in person or in writing."""

    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))


class VoteSchema(ma.Schema):
    """One household's vote at a meeting."""

    class Meta:
        unknown = ma.RAISE

    application_id = _id(required=True)
    agreeing = _count(required=True)


class MeetingSchema(Strict):
    """A village meeting on a list of verified households."""

    held_on = ma.fields.Date(required=True)
    attendees = _count(required=True)
    votes = ma.fields.List(ma.fields.Nested(VoteSchema), required=True)
    village_code = ma.fields.String(load_default=None)
    chaired_by = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))


class PostingSchema(Strict):
    """A public posting of several households."""

    application_ids = ma.fields.List(_id(), required=True, validate=ma.validate.Length(max=1000))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(load_default=None)


class DecisionLineSchema(ma.Schema):
    """One household of a decision."""

    class Meta:
        unknown = ma.RAISE

    application_id = _id(required=True)
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(["recognised", "refused"]))
    reasons = ma.fields.String(load_default=None, validate=ma.validate.Length(max=5000))


class DecisionSchema(Strict):
    """A decision of the commune chair on several households."""

    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=50))
    decided_on = ma.fields.Date(required=True)
    lines = ma.fields.List(ma.fields.Nested(DecisionLineSchema), required=True)


class PeriodicReviewSchema(Strict):
    """Open the commune's periodic review for next year's lists."""

    period = ma.fields.Integer(required=True, validate=ma.validate.Range(2000, 2100))
    closes_on = ma.fields.Date(load_default=None)


class ResolveDuplicateSchema(Strict):
    """How the officer settled a possible duplicate."""

    resolution = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["merged", "withdrawn", "distinct"])
    )
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))
