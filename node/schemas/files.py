"""What the officials' API answers: the list, an application's whole file (typed down to its
leaves, node.services.files builds it), the worklist, and the steps for many households."""

from __future__ import annotations

import marshmallow as ma

from node.models.applications import CLASSIFICATIONS, KINDS, OPEN_STATUSES, OUTCOMES, STATUSES
from node.schemas.applications import AssessmentSchema
from node.schemas.facts import facts_json_schema
from node.services.duplicates import RESOLUTIONS


class ApplicationSummarySchema(ma.Schema):
    """One row of the list."""

    id = ma.fields.Integer()
    tracking_code = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    channel = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
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
    total = ma.fields.Integer(
        metadata={"description": "the matches, counted up to 10,000 (see total_exact)"}
    )
    total_exact = ma.fields.Boolean(
        metadata={"description": "false: there are more than ``total`` (the count stops there)"}
    )
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    next_after = ma.fields.String(
        allow_none=True,
        metadata={"description": "give it as ``after`` for the next page (null: the last page)"},
    )
    previous_before = ma.fields.String(
        allow_none=True,
        metadata={"description": "give it as ``before`` for the page before (null: the first)"},
    )


class ApplicantViewSchema(ma.Schema):
    """Who applied."""

    full_name = ma.fields.String()
    citizen_id = ma.fields.String()
    phone = ma.fields.String()


class IdentityViewSchema(ma.Schema):
    """A member's identity as verified."""

    full_name = ma.fields.String()
    citizen_id = ma.fields.String(allow_none=True)
    ethnicity = ma.fields.String(allow_none=True)


class VerificationViewSchema(ma.Schema):
    """The latest verification: the facts found, each member's identity, the assessment."""

    verified_at = ma.fields.String()
    verified_by = ma.fields.Integer(allow_none=True)
    facts = ma.fields.Dict(metadata=facts_json_schema())
    identities = ma.fields.List(ma.fields.Nested(IdentityViewSchema))
    address = ma.fields.String(allow_none=True)
    assessment = ma.fields.Nested(AssessmentSchema)


class IncomeComparisonSchema(ma.Schema):
    """Monthly income per person, declared and verified."""

    declared = ma.fields.Integer()
    verified = ma.fields.Integer()


class ComparisonSchema(ma.Schema):
    """What the official assessment changes from the self-assessment (only ``verified`` until
    the household is verified)."""

    verified = ma.fields.Boolean()
    classification_differs = ma.fields.Boolean()
    income_per_capita = ma.fields.Nested(IncomeComparisonSchema)
    deprivations_added = ma.fields.List(ma.fields.String())
    deprivations_removed = ma.fields.List(ma.fields.String())


class MeetingVoteViewSchema(ma.Schema):
    """A village meeting's vote on the household."""

    meeting_id = ma.fields.Integer()
    held_on = ma.fields.String()
    attendees = ma.fields.Integer()
    agreeing = ma.fields.Integer()
    passed = ma.fields.Boolean()


class PostingViewSchema(ma.Schema):
    """A public posting that listed the household."""

    posting_id = ma.fields.Integer()
    starts_on = ma.fields.String()
    ends_on = ma.fields.String()


class ComplaintViewSchema(ma.Schema):
    """A complaint received during a posting."""

    received_on = ma.fields.String()
    content = ma.fields.String()
    complainant = ma.fields.String(allow_none=True)


class DuplicateViewSchema(ma.Schema):
    """A possible duplicate: the ID number found in another open application or household."""

    id = ma.fields.Integer()
    citizen_id = ma.fields.String()
    other_application_id = ma.fields.Integer(allow_none=True)
    other_household_id = ma.fields.Integer(allow_none=True)
    resolution = ma.fields.String(allow_none=True, metadata={"enum": list(RESOLUTIONS)})


class DecisionViewSchema(ma.Schema):
    """The chair's decision on the household."""

    number = ma.fields.String()
    decided_on = ma.fields.String()
    outcome = ma.fields.String(metadata={"enum": list(OUTCOMES)})
    classification = ma.fields.String(allow_none=True, metadata={"enum": list(CLASSIFICATIONS)})
    reasons = ma.fields.String(allow_none=True)


class CertificateViewSchema(ma.Schema):
    """The certificate (Mẫu 03) issued to a recognised poor or near-poor household."""

    number = ma.fields.String()
    issued_on = ma.fields.String()
    verification_code = ma.fields.String()


class HouseholdRefSchema(ma.Schema):
    """The household the application belongs to."""

    id = ma.fields.Integer()
    head_name = ma.fields.String()


class EventSchema(ma.Schema):
    """One step of the history."""

    at = ma.fields.String()
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    actor_role = ma.fields.String()
    actor_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)


class ApplicationFileSchema(ApplicationSummarySchema):
    """An application's whole file (node.services.files.application_file)."""

    applicant = ma.fields.Nested(ApplicantViewSchema)
    filed_by_id = ma.fields.Integer(allow_none=True)
    assigned_to_id = ma.fields.Integer(allow_none=True)
    household_id = ma.fields.Integer(allow_none=True)
    declared_facts = ma.fields.Dict(metadata=facts_json_schema())
    self_assessment = ma.fields.Nested(AssessmentSchema)
    verification = ma.fields.Nested(VerificationViewSchema, allow_none=True)
    comparison = ma.fields.Nested(ComparisonSchema)
    meetings = ma.fields.List(ma.fields.Nested(MeetingVoteViewSchema))
    postings = ma.fields.List(ma.fields.Nested(PostingViewSchema))
    complaints = ma.fields.List(ma.fields.Nested(ComplaintViewSchema))
    duplicates = ma.fields.List(ma.fields.Nested(DuplicateViewSchema))
    decision = ma.fields.Nested(DecisionViewSchema, allow_none=True)
    certificate = ma.fields.Nested(CertificateViewSchema, allow_none=True)
    household = ma.fields.Nested(HouseholdRefSchema, allow_none=True)
    history = ma.fields.List(ma.fields.Nested(EventSchema))
    allowed_actions = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "what you may do with it now (node.services.workflow)"},
    )


class WorkItemSchema(ApplicationSummarySchema):
    """An open application on the worklist."""

    next_step = ma.fields.String()
    working_days_left = ma.fields.Integer(allow_none=True)
    posting_ends_on = ma.fields.String(allow_none=True)
    allowed_actions = ma.fields.List(ma.fields.String())


class CappedCountSchema(ma.Schema):
    """A count that stops at 10,000."""

    count = ma.fields.Integer()
    exact = ma.fields.Boolean(metadata={"description": "false: more than ``count``"})


class WorklistSchema(ma.Schema):
    """What is due, overdue first, a page at a time, with the counts above the list."""

    items = ma.fields.List(ma.fields.Nested(WorkItemSchema))
    next_after = ma.fields.String(
        allow_none=True,
        metadata={"description": "give it as ``after`` for the next page (null: the last page)"},
    )
    by_status = ma.fields.Dict(
        keys=ma.fields.String(metadata={"enum": list(OPEN_STATUSES)}),
        values=ma.fields.Nested(CappedCountSchema),
        metadata={"description": "the open applications of your area by status"},
    )
    overdue = ma.fields.Nested(CappedCountSchema)


# ------------------------------------------------------------------ steps for many at once


class MeetingRecordedSchema(ma.Schema):
    """The meeting recorded, and the households whose vote passed (at least 50% agreeing)."""

    meeting_id = ma.fields.Integer()
    passed = ma.fields.List(ma.fields.Integer())


class PostingRecordedSchema(ma.Schema):
    """The posting recorded, with its dates."""

    posting_id = ma.fields.Integer()
    starts_on = ma.fields.String()
    ends_on = ma.fields.String()


class DecisionRecordedSchema(ma.Schema):
    """The decision recorded."""

    decision_id = ma.fields.Integer()
    number = ma.fields.String()


class PeriodicReviewOpenedSchema(ma.Schema):
    """The periodic review opened: how many listed households were queued."""

    period = ma.fields.Integer()
    queued = ma.fields.Integer()


class DuplicateResolvedSchema(ma.Schema):
    """The flag as settled."""

    id = ma.fields.Integer()
    resolution = ma.fields.String()
