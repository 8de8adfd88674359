"""The officials' review: the list's filters and every action's body (the answers: files.py).

The JSON API (node.api.review) and the officials' pages (node.web.officials*) load the same
schemas, so a bad input is named by the same field with the same message on both. Rules that
need the records (the household verified, the posting over, a number used on another date)
stay in the services; everything an input says about itself is checked here.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from node.models.applications import KINDS, OUTCOMES, STATUSES
from node.models.audit import AuditEntry
from node.models.households import Household, Member
from node.models.review import Complaint, Decision, Meeting, Verification
from node.models.units import Village
from node.schemas.facts import HouseholdFacts
from node.services.duplicates import RESOLUTIONS
from node.services.identity import normalize_citizen_id
from shared.web.fields import (
    NOT_A_NUMBER,
    Boolean,
    Date,
    Dict,
    Integer,
    List,
    Nested,
    Strict,
    String,
    Text,
    Versioned,
    ascii_digits,
    between,
    column_length,
    id_field,
    items,
    length,
    one_of,
)

# The officials' words for the fields they most often get wrong (the pages show these beside
# the field; node.web.officials_forms also uses them for the services' refusals).
MESSAGES = {
    "assign_to": _l("Choose a village head who covers this household's village."),
    "attendees": _l("Enter the number of people at the meeting (more than 0)."),
    "agreeing": _l("The number agreeing is from 0 to the number of people at the meeting."),
    "held_on": _l("Enter the meeting date; it cannot be in the future."),
    "village_code": _l("Choose a village of this commune."),
    "starts_on": _l("Enter the date the posting starts."),
    "ends_on": _l("The posting cannot end before it starts."),
    "content": _l("Write what the complaint says."),
    "received_on": _l("Enter the date it was received."),
    "number": _l("Enter the decision number, e.g. 125/QĐ-UBND; a number already used on another "
                 "date cannot be used again."),
    "decided_on": _l("Enter the decision date; it cannot be in the future."),
    "lines": _l("Choose an outcome for at least one household."),
    "outcome": _l("Choose recognised or not recognised."),
    "reasons": _l("A refusal needs written reasons."),
    "resolution": _l("Choose how to settle it."),
    "agrees": _l("Choose whether the opinion agrees."),
    "votes": _l("Tick at least one household, each only once, all of one commune."),
    "application_ids": _l("Tick at least one household of one commune."),
    "period": _l("The periodic review draws up next year's lists."),
    "full_name": _l("Enter the member's full name."),
    "confirm": _l("Tick the box to confirm the resident asked for it."),
    "citizen_id": _l("The personal ID number has 12 digits (leave it empty for a child "
                     "without one)."),
}  # fmt: skip


def said(name: str) -> dict[str, Any]:
    """A field's own message for a missing or malformed value."""
    message = MESSAGES[name]
    return {"required": message, "null": message, "invalid": message, "format": message}


# ------------------------------------------------------------------------------- the list


class ListQuerySchema(ma.Schema):
    """Filters and paging of the officials' application list."""

    class Meta:
        # Unknown query parameters (a cache-buster, a tracking tag) are ignored, as documented.
        unknown = ma.EXCLUDE

    status = String(validate=one_of(STATUSES))
    commune = String(validate=ma.validate.Regexp(r"^[0-9]{5}$", error=_l("Enter a commune code.")))
    village = String(validate=length(column_length(Village.code)))
    kind = String(validate=one_of(KINDS))
    period = Integer(validate=between(2000, 2100))
    overdue = Boolean(load_default=False)
    page = Integer(load_default=1, validate=between(1, 100_000))
    per_page = Integer(load_default=50, validate=between(1, 200))
    after = String(
        validate=length(40),
        metadata={"description": "next_after of the page before: the page after it, by key"},
    )
    before = String(
        validate=length(40),
        metadata={"description": "previous_before of the page after: the page before it"},
    )
    q = String(
        validate=length(100),
        metadata={
            "description": "a tracking code (with or without dashes, any case), a 12-digit ID "
            "number of the applicant or a member, or words of a name regardless of tone marks "
            "and case"
        },
    )


class WorklistQuerySchema(ma.Schema):
    """Paging of the worklist."""

    class Meta:
        unknown = ma.EXCLUDE

    after = String(
        validate=length(40),
        metadata={"description": "next_after of the page before: the page after it"},
    )
    per_page = Integer(load_default=50, validate=between(1, 200))


class FileQuerySchema(ma.Schema):
    """Opening an application's file: why (written to the audit log beside the read)."""

    class Meta:
        unknown = ma.EXCLUDE

    why = Text(
        validate=length(column_length(AuditEntry.why)),
        metadata={"description": "the reason for reading the file, kept in the audit log"},
    )


# ------------------------------------------------------------- actions on one application


class StartReviewSchema(Versioned):
    """start_review: take a submitted application into review (and assign the reviewer)."""

    assign_to = id_field(
        load_default=None,
        error_messages=said("assign_to"),
        metadata={"description": "the user id of the village head who verifies"},
    )


class AssignSchema(Versioned):
    """assign: the village head or officer who will verify."""

    user_id = id_field(required=True, error_messages=said("assign_to"))


class CitizenIdText(Text):
    """A personal ID number, 12 digits, spaces allowed as on the card; empty: none (a child)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        number = normalize_citizen_id(text)
        if number is None:
            raise ma.ValidationError(str(MESSAGES["citizen_id"]))
        return number


class IdentitySchema(Strict):
    """A member's identity as the reviewer checked it (the service checks the name again)."""

    full_name = Text(required=True, validate=length(100), error_messages=said("full_name"))
    citizen_id = CitizenIdText(
        load_default=None, allow_none=True, error_messages=said("citizen_id")
    )
    ethnicity = Text(
        load_default=None, allow_none=True, validate=length(column_length(Member.ethnicity))
    )


class VerifySchema(Versioned):
    """verify: the facts found at the household (RULES §4) and each member's identity."""

    facts = HouseholdFacts(required=True)
    identities = List(Nested(IdentitySchema), required=True, validate=items(50))
    # Kept on the verification and then on the household.
    address = Text(
        load_default=None,
        allow_none=True,
        validate=length(
            min(column_length(Verification.head_address), column_length(Household.address))
        ),
    )


class _MeetingFields(Strict):
    held_on = Date(required=True, error_messages=said("held_on"))
    attendees = Integer(
        required=True,
        validate=between(1, 1_000_000, MESSAGES["attendees"]),
        error_messages=said("attendees"),
    )
    village_code = String(
        load_default=None, allow_none=True, validate=length(column_length(Village.code))
    )
    chaired_by = Text(
        load_default=None, allow_none=True, validate=length(column_length(Meeting.chaired_by))
    )
    # The minutes in words (what was said, who objected); optional.
    notes = Text(multiline=True, load_default=None, allow_none=True, validate=length(4000))


def agreeing_field() -> Integer:
    """How many agreed: 0 or more, and no more than the attendees (the schema checks that)."""
    return Integer(
        required=True,
        validate=between(0, 1_000_000, MESSAGES["agreeing"]),
        error_messages=said("agreeing"),
    )


def _agreeing_at_most_attendees(attendees: Any, agreeing: Any) -> bool:
    return not (type(attendees) is int and type(agreeing) is int and agreeing > attendees)


class MeetingActionSchema(Versioned, _MeetingFields):
    """record_meeting for one household (POST /api/v1/meetings for a whole list)."""

    agreeing = agreeing_field()

    @ma.validates_schema(skip_on_field_errors=True)
    def agreeing_within_attendees(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not _agreeing_at_most_attendees(data.get("attendees"), data.get("agreeing")):
            raise ma.ValidationError(str(MESSAGES["agreeing"]), "agreeing")


class _PostingDates(Strict):
    starts_on = Date(required=True, error_messages=said("starts_on"))
    ends_on = Date(load_default=None, allow_none=True, error_messages=said("ends_on"))

    @ma.validates_schema(skip_on_field_errors=True)
    def ends_after_it_starts(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ma.ValidationError(str(MESSAGES["ends_on"]), "ends_on")


class PostActionSchema(Versioned, _PostingDates):
    """post: the public posting's dates (the end defaults to the configured working days)."""


class ComplaintSchema(Versioned):
    """complaint: what was complained about; the household goes back to review."""

    content = Text(
        required=True, multiline=True, validate=length(5000, 1), error_messages=said("content")
    )
    received_on = Date(load_default=None, allow_none=True, error_messages=said("received_on"))
    complainant = Text(
        load_default=None, allow_none=True, validate=length(column_length(Complaint.complainant))
    )


class DistrictOpinionSchema(Versioned):
    """district_opinion: the optional higher-level opinion (where the node asks for one)."""

    received_on = Date(required=True, error_messages=said("received_on"))
    agrees = Boolean(required=True, error_messages=said("agrees"))
    note = Text(load_default=None, allow_none=True, multiline=True, validate=length(2000))


def _refusal_has_reasons(outcome: Any, reasons: Any) -> bool:
    return outcome != "refused" or bool(reasons)


class DecideActionSchema(Versioned):
    """decide: the chair's decision for this household (number and date of the decision)."""

    number = Text(
        required=True,
        validate=[length(column_length(Decision.number), 1), ascii_digits],
        error_messages=said("number"),
    )
    decided_on = Date(required=True, error_messages=said("decided_on"))
    outcome = String(required=True, validate=one_of(OUTCOMES), error_messages=said("outcome"))
    reasons = Text(load_default=None, allow_none=True, multiline=True, validate=length(5000))

    @ma.validates_schema(skip_on_field_errors=True)
    def refusal_has_reasons(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not _refusal_has_reasons(data.get("outcome"), data.get("reasons")):
            raise ma.ValidationError(str(MESSAGES["reasons"]), "reasons")


class WithdrawActionSchema(Versioned):
    """withdraw: the resident asked the commune in person or in writing."""

    note = Text(load_default=None, allow_none=True, multiline=True, validate=length(2000))


class WithdrawFormSchema(WithdrawActionSchema):
    """The file page's withdrawal: the officer also ticks that the resident asked for it."""

    confirm = Boolean(
        required=True,
        validate=ma.validate.Equal(True, error=MESSAGES["confirm"]),
        error_messages=said("confirm"),
    )


# ------------------------------------------------------------------- steps for many at once


class VoteSchema(Strict):
    """One household's vote at a meeting."""

    application_id = id_field(required=True)
    agreeing = agreeing_field()
    version = id_field(load_default=None, metadata={"description": "as the form was opened"})


class MeetingSchema(_MeetingFields):
    """A village meeting on a list of verified households."""

    votes = List(
        Nested(VoteSchema),
        required=True,
        validate=items(1000, 1, MESSAGES["votes"]),
        error_messages=said("votes"),
    )

    @ma.validates_schema(skip_on_field_errors=True)
    def agreeing_within_attendees(self, data: dict[str, Any], **kwargs: Any) -> None:
        wrong = {
            index: {"agreeing": [str(MESSAGES["agreeing"])]}
            for index, vote in enumerate(data["votes"])
            if not _agreeing_at_most_attendees(data["attendees"], vote["agreeing"])
        }
        if wrong:
            raise ma.ValidationError({"votes": wrong})


class PostingSchema(_PostingDates):
    """A public posting of several households."""

    application_ids = List(
        id_field(),
        required=True,
        validate=items(1000, 1, MESSAGES["application_ids"]),
        error_messages=said("application_ids"),
    )
    versions = Dict(
        keys=String(validate=ma.validate.Regexp(r"^[1-9][0-9]{0,9}$", error=NOT_A_NUMBER)),
        values=id_field(),
        load_default=None,
        metadata={"description": "application id → its version when the form was opened"},
    )

    @ma.post_load
    def ids_as_numbers(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["versions"] = {int(key): value for key, value in (data["versions"] or {}).items()}
        return data


class DecisionLineSchema(Strict):
    """One household of a decision."""

    application_id = id_field(required=True)
    outcome = String(required=True, validate=one_of(OUTCOMES), error_messages=said("outcome"))
    reasons = Text(load_default=None, allow_none=True, multiline=True, validate=length(5000))
    version = id_field(load_default=None, metadata={"description": "as the form was opened"})

    @ma.validates_schema(skip_on_field_errors=True)
    def refusal_has_reasons(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not _refusal_has_reasons(data.get("outcome"), data.get("reasons")):
            raise ma.ValidationError(str(MESSAGES["reasons"]), "reasons")


class DecisionSchema(Strict):
    """A decision of the commune chair on several households."""

    number = Text(
        required=True,
        validate=[length(column_length(Decision.number), 1), ascii_digits],
        error_messages=said("number"),
    )
    decided_on = Date(required=True, error_messages=said("decided_on"))
    lines = List(
        Nested(DecisionLineSchema),
        required=True,
        validate=items(1000, 1, MESSAGES["lines"]),
        error_messages=said("lines"),
    )


class PeriodicReviewSchema(Strict):
    """Open the commune's periodic review for next year's lists."""

    period = Integer(
        required=True,
        validate=between(2000, 2100, MESSAGES["period"]),
        error_messages=said("period"),
    )
    closes_on = Date(load_default=None, allow_none=True)


class ResolveDuplicateSchema(Versioned):
    """How the officer settled a possible duplicate."""

    resolution = String(
        required=True, validate=one_of(RESOLUTIONS), error_messages=said("resolution")
    )
    note = Text(load_default=None, allow_none=True, multiline=True, validate=length(2000))
