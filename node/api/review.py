"""The officials' JSON API: their list, an application's file, and the review's actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm.exc import StaleDataError

from node.api import review_schemas as schemas
from node.auth import official_required, require_official
from node.context import node_context
from node.extensions import db
from node.models.review import DuplicateFlag
from node.services import decisions, duplicates, periodic, review, steps
from node.services.context import NodeContext
from node.services.errors import NotFound, StaleVersion, ValidationFailed
from node.services.files import application_file, application_summary, village_codes
from node.services.scopes import Official
from node.services.worklist import worklist

blp = Blueprint(
    "review", __name__, url_prefix="/api/v1", description="Officials: queue, files and actions"
)


def _commit_or_conflict() -> None:
    """Commit the request's one transaction; a concurrent change to the same row is a 409."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(
            "Someone else changed this application at the same time; reload and try again."
        ) from None


@blp.route("/applications")
class ApplicationList(MethodView):
    """The officials' list (residents submit with POST on the same path)."""

    @official_required()
    @blp.arguments(schemas.ListQuerySchema, location="query")
    @blp.response(200, schemas.ApplicationPageSchema)
    def get(self, query):
        """Applications in your area, newest first, with filters and pages."""
        context = node_context()
        page = review.list_applications(db.session, require_official(), context, **query)
        codes = village_codes(db.session, page.items)
        # Read before the commit, which expires the rows (reading after it reloaded each one).
        body = {
            "items": [
                application_summary(a, context.today, codes.get(a.village_id)) for a in page.items
            ],
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }
        db.session.commit()  # the audit entry for this read of personal data
        return body


@blp.route("/applications/<int(max=2147483647):application_id>")
class ApplicationFile(MethodView):
    """One application's whole file."""

    @official_required()
    @blp.response(200, schemas.ApplicationFileSchema)
    def get(self, application_id: int):
        """The file, if the application is in your area (404 otherwise)."""
        context = node_context()
        official = require_official()
        application = review.read_application(
            db.session, official, application_id, context, why=request.args.get("why")
        )
        db.session.commit()
        return application_file(db.session, official, application, context)


@dataclass(frozen=True)
class Action:
    """An action on one application: its body's schema and the service call it makes."""

    schema: type[ma.Schema]
    run: Callable[[Official, Any, NodeContext, dict[str, Any]], object]


def _meeting(official, application, context, data):
    version, agreeing = data.pop("version"), data.pop("agreeing")
    versions = {application.id: version} if version is not None else {}
    return review.record_meeting(
        db.session, official, context, votes=[(application.id, agreeing)], versions=versions,
        **data,
    )  # fmt: skip


def _post(official, application, context, data):
    version = data.pop("version")
    versions = {application.id: version} if version is not None else {}
    return review.post_results(
        db.session, official, context, application_ids=[application.id], versions=versions,
        **data,
    )  # fmt: skip


def _decide(official, application, context, data):
    line = decisions.DecisionLine(
        application.id, data.pop("outcome"), data.pop("reasons"), data.pop("version")
    )
    return decisions.decide(db.session, official, context, lines=[line], **data)


def _complaint(official, application, context, data):
    data["received_on"] = data["received_on"] or context.today
    return review.record_complaint(db.session, official, application, context, **data)


def _withdraw(official, application, context, data):
    return steps.withdraw_by_official(db.session, official, application, context, **data)


def _district_opinion(official, application, context, data):
    return review.record_district_opinion(db.session, official, application, context, **data)


ACTIONS: dict[str, Action] = {
    "start_review": Action(
        schemas.StartReviewSchema,
        lambda o, a, c, d: review.start_review(db.session, o, a, c, **d),
    ),
    "assign": Action(
        schemas.AssignSchema,
        lambda o, a, c, d: review.assign_reviewer(db.session, o, a, d["user_id"], c, d["version"]),
    ),
    "verify": Action(
        schemas.VerifySchema,
        lambda o, a, c, d: review.record_verification(db.session, o, a, c, **d),
    ),
    "record_meeting": Action(schemas.MeetingActionSchema, _meeting),
    "post": Action(schemas.PostActionSchema, _post),
    "complaint": Action(schemas.ComplaintSchema, _complaint),
    "district_opinion": Action(schemas.DistrictOpinionSchema, _district_opinion),
    "decide": Action(schemas.DecideActionSchema, _decide),
    "withdraw": Action(schemas.WithdrawActionSchema, _withdraw),
}


@blp.route("/applications/<int(max=2147483647):application_id>/actions/<action>")
class ApplicationAction(MethodView):
    """Move an application one step: verify, record_meeting, post, complaint, decide, …"""

    @official_required()
    @blp.response(200, schemas.ApplicationFileSchema)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "depends on the action: "
            + "; ".join(f"{name}: {action.schema.__doc__}" for name, action in ACTIONS.items()),
        }
    )
    def post(self, application_id: int, action: str):
        """Do ``action``; 409 with the allowed actions when the status does not permit it."""
        spec = ACTIONS.get(action)
        if spec is None:
            raise NotFound(f"There is no action {action!r}; known: {', '.join(ACTIONS)}.")
        body = request.get_json()
        try:
            data = spec.schema().load(body if body is not None else {})
        except ma.ValidationError as error:
            raise ValidationFailed(
                "The action's data is not valid.", _flat(error.messages)
            ) from None
        official = require_official()
        context = node_context()
        application = steps.scoped_application(db.session, official, application_id)
        spec.run(official, application, context, data)
        _commit_or_conflict()
        return application_file(db.session, official, application, context)


def _flat(messages: Any, prefix: str = "") -> dict[str, str]:
    fields: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            fields.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        fields[prefix or "body"] = " ".join(messages)
    else:
        fields[prefix or "body"] = str(messages)
    return fields


@blp.route("/meetings")
class Meetings(MethodView):
    """A village meeting on a whole list of households."""

    @official_required()
    @blp.arguments(schemas.MeetingSchema)
    @blp.response(201)
    def post(self, data):
        """Record the meeting and each household's vote (< 50% agreeing: back to review)."""
        votes = [(vote["application_id"], vote["agreeing"]) for vote in data.pop("votes")]
        meeting = review.record_meeting(
            db.session, require_official(), node_context(), votes=votes, **data
        )
        _commit_or_conflict()
        return {
            "meeting_id": meeting.id,
            "passed": [v.application_id for v in meeting.votes if v.passed],
        }


@blp.route("/postings")
class Postings(MethodView):
    """A public posting of several households."""

    @official_required()
    @blp.arguments(schemas.PostingSchema)
    @blp.response(201)
    def post(self, data):
        """Post the results; the end date defaults to the configured working days."""
        posting = review.post_results(db.session, require_official(), node_context(), **data)
        _commit_or_conflict()
        return {
            "posting_id": posting.id,
            "starts_on": posting.starts_on.isoformat(),
            "ends_on": posting.ends_on.isoformat(),
        }


@blp.route("/decisions")
class Decisions(MethodView):
    """The chair's decision on several households."""

    @official_required()
    @blp.arguments(schemas.DecisionSchema)
    @blp.response(201)
    def post(self, data):
        """Recognise or refuse (refusals with written reasons); certificates are issued."""
        lines = [decisions.DecisionLine(**line) for line in data.pop("lines")]
        decision = decisions.decide(
            db.session, require_official(), node_context(), lines=lines, **data
        )
        _commit_or_conflict()
        return {"decision_id": decision.id, "number": decision.number}


@blp.route("/periodic-reviews")
class PeriodicReviews(MethodView):
    """The yearly periodic review."""

    @official_required()
    @blp.arguments(schemas.PeriodicReviewSchema)
    @blp.response(201)
    def post(self, data):
        """Open it: every listed household is queued for re-verification."""
        opened = periodic.open_periodic_review(
            db.session, require_official(), node_context(), **data
        )
        _commit_or_conflict()
        return {"period": opened.review.period, "queued": opened.queued}


@blp.route("/duplicates/<int(max=2147483647):flag_id>/resolve")
class DuplicateResolution(MethodView):
    """Settle a possible duplicate."""

    @official_required()
    @blp.arguments(schemas.ResolveDuplicateSchema)
    @blp.response(200)
    def post(self, data, flag_id: int):
        """merged, withdrawn (this application) or distinct (different people after all)."""
        official = require_official()
        flag = db.session.get(DuplicateFlag, flag_id)
        if flag is None:
            raise NotFound("No such flag.")
        steps.scoped_application(db.session, official, flag.application_id)
        duplicates.resolve_duplicate(
            db.session, official, flag, data["resolution"], node_context(), data["note"]
        )
        _commit_or_conflict()
        return {"id": flag.id, "resolution": flag.resolution}


@blp.route("/worklist")
class Worklist(MethodView):
    """What is due."""

    @official_required()
    @blp.response(200)
    def get(self):
        """Open applications in your area, overdue first, with working days left."""
        context = node_context()
        items = worklist(db.session, require_official(), context)
        return {
            "items": [
                {
                    **application_summary(item.application, context.today),
                    "next_step": item.next_step,
                    "working_days_left": item.working_days_left,
                    "posting_ends_on": item.posting_ends_on.isoformat()
                    if item.posting_ends_on
                    else None,
                    "allowed_actions": item.actions,
                }
                for item in items
            ]
        }
