"""Bodies and answers of the residents' requests about their data (issue 18)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from node.models.requests import KINDS
from node.schemas.applications import ApplicantProofSchema
from node.services.data_requests import MAX_TEXT
from shared.web.fields import Strict, String, Text, length, one_of


def _text() -> Text:
    return Text(load_default=None, allow_none=True, multiline=True, validate=length(MAX_TEXT))


class DataRequestFieldsSchema(Strict):
    """The kind of request and its words: a correction says what is wrong and what it should
    be; the others may give a reason."""

    kind = String(required=True, validate=one_of(KINDS))
    what_is_wrong = _text()
    should_be = _text()
    reason = _text()

    @ma.validates_schema
    def correction_says_what(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("kind") != "correction":
            return
        missing = {
            name: ["Required for a correction."]
            for name in ("what_is_wrong", "should_be")
            if not data.get(name)
        }
        if missing:
            raise ma.ValidationError(missing)


class DataRequestBodySchema(ApplicantProofSchema, DataRequestFieldsSchema):
    """The proof (phone or ID number, as for the lookup) with the request."""


class DataRequestSchema(ma.Schema):
    """One request as the applicant and the officials see it."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    what_is_wrong = ma.fields.String(allow_none=True)
    should_be = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    received_at = ma.fields.String()
    due_at = ma.fields.String(metadata={"description": "the legal deadline to answer"})
    status = ma.fields.String(metadata={"description": "open, done or refused"})
    handling = ma.fields.String(
        allow_none=True,
        metadata={"description": "consent withdrawal: processing_stopped or public_duty"},
    )
    answer = ma.fields.String(allow_none=True)
    answered_at = ma.fields.String(allow_none=True)


class OpenDataRequestSchema(DataRequestSchema):
    """A request on the commune's list: with the application it is about."""

    application_id = ma.fields.Integer()
    commune_code = ma.fields.String()


class DataRequestListSchema(ma.Schema):
    """The open requests, the earliest deadline first."""

    items = ma.fields.List(ma.fields.Nested(OpenDataRequestSchema))


class DataRequestAnswerSchema(Strict):
    """An official's answer: done, or refused with the reason the resident will read."""

    outcome = String(required=True, validate=one_of(("done", "refused")))
    answer = _text()

    @ma.validates_schema
    def refusal_has_reason(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("outcome") == "refused" and not data.get("answer"):
            raise ma.ValidationError("A refusal needs the reason the resident will read.", "answer")
