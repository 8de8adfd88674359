"""`/api/v1/standards` and `/api/v1/assessments`: the poverty standards and self-assessment."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from node.schemas.applications import AssessmentSchema
from node.schemas.facts import facts_json_schema
from node.services.errors import NotFound, ValidationFailed
from shared.standards import (
    InvalidFacts,
    Standard,
    UnknownStandard,
    evaluate,
    facts_catalog,
    get_standard,
    national_standards,
)
from shared.web.caching import public

blp = Blueprint(
    "standards", __name__, url_prefix="/api/v1", description="Poverty standards and assessment"
)


class StandardSummarySchema(ma.Schema):
    """A standard in brief."""

    id = ma.fields.String()
    kind = ma.fields.String()
    name = ma.fields.Dict()
    source = ma.fields.Dict()
    periods = ma.fields.Dict()
    income_lines = ma.fields.Dict()
    average_lines = ma.fields.Dict(allow_none=True)
    indicators = ma.fields.List(ma.fields.String())


class StandardListSchema(ma.Schema):
    """The standards this node knows."""

    items = ma.fields.List(ma.fields.Nested(StandardSummarySchema))


class AssessmentQuerySchema(ma.Schema):
    """Optionally, a standard other than the period's (e.g. VN-2027-2030 during 2026)."""

    class Meta:
        unknown = ma.EXCLUDE

    standard = ma.fields.String(metadata={"example": "VN-2027-2030"})


def summary(standard: Standard) -> dict[str, Any]:
    """A standard's identity, lines and indicator codes."""
    data = standard.data
    return {
        "id": standard.id,
        "kind": standard.kind,
        "name": data["name"],
        "source": data["source"],
        "periods": {"from": standard.period_from, "to": standard.period_to},
        "income_lines": dict(standard.income_lines),
        "average_lines": dict(standard.average_lines) if standard.average_lines else None,
        "indicators": [indicator.code for indicator in standard.indicators],
    }


def questions(standard: Standard) -> dict[str, Any]:
    """The questions (facts with labels and options) a household answers for this standard."""
    catalog = facts_catalog()
    household = {
        path: spec
        for path, spec in catalog["fields"].items()
        if path in standard.household_facts or "." not in path
    }
    return {"household": household, "member": catalog["member_fields"]}


@blp.route("/standards")
@public
class Standards(MethodView):
    """The national standards."""

    @blp.response(200, StandardListSchema)
    def get(self):
        """Every standard with its periods, lines and indicators."""
        return {"items": [summary(standard) for standard in national_standards()]}


@blp.route("/standards/<standard_id>")
@public
class StandardDetail(MethodView):
    """One standard in full: the data file the engine evaluates, and its questions."""

    @blp.response(200)
    def get(self, standard_id: str):
        """The standard's data (indicators with rules, lines, sources) and its questions."""
        try:
            standard = get_standard(standard_id)
        except UnknownStandard:
            raise NotFound(f"No standard has the id {standard_id!r}.") from None
        return {**standard.to_json(), "questions": questions(standard)}


@blp.route("/assessments")
class Assessments(MethodView):
    """Self-assessment: classify a household without storing anything."""

    @blp.arguments(AssessmentQuerySchema, location="query")
    @blp.response(200, AssessmentSchema)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": facts_json_schema()}},
            "description": "household facts (domain/RULES.md §4)",
        }
    )
    def post(self, query):
        """Classify the household described by the facts in the body; nothing is stored."""
        # Broken JSON is a 400 and a non-JSON content type a 415, both raised by Flask.
        facts = request.get_json()
        try:
            return evaluate(facts, query.get("standard"))
        except InvalidFacts as error:
            raise ValidationFailed("The household facts are not valid.", error.fields) from None
        except UnknownStandard:
            raise ValidationFailed(
                "Unknown standard.", {"standard": "not a standard this node knows"}
            ) from None
