"""The officials' JSON API: their list, an application's file, the review's actions (one route
each, with its own documented body), the steps for many households at once, the worklist.

Every body loads through its schema in node.schemas.review — the ones the officials' pages load
— and goes to node.services.actions, which the pages call too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm.exc import StaleDataError

from node.api.field_sync import HEADERS_DOC, REPLAYED, Once, check_device
from node.auth import official_required, require_official
from node.context import node_context
from node.extensions import db
from node.schemas import files
from node.schemas import review as schemas
from node.services import actions, periodic, review, steps
from node.services.errors import NotFound, StaleVersion
from node.services.files import application_file, application_summary, village_codes
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
    @blp.response(200, files.ApplicationPageSchema)
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
            "total_exact": page.total_exact,
            "page": page.page,
            "per_page": page.per_page,
            "next_after": page.next_after,
            "previous_before": page.previous_before,
        }
        db.session.commit()  # the audit entry for this read of personal data
        return body


@blp.route("/applications/<int(max=2147483647):application_id>")
class ApplicationFile(MethodView):
    """One application's whole file."""

    @official_required()
    @blp.arguments(schemas.FileQuerySchema, location="query")
    @blp.response(200, files.ApplicationFileSchema)
    def get(self, query, application_id: int):
        """The file, if the application is in your area (404 otherwise)."""
        context = node_context()
        official = require_official()
        application = review.read_application(
            db.session, official, application_id, context, why=query.get("why")
        )
        db.session.commit()
        return application_file(db.session, official, application, context)


def _act(application_id: int, action: str, data: dict[str, Any]) -> Any:
    """Take ``action`` on the application (node.services.actions, as the file page does) and
    answer with its file; a refusal is the policy's 403, 404 or 409. With an Idempotency-Key
    (the field app's queue) a retry does nothing again and answers with the file as it is."""
    official = require_official()
    context = node_context()
    check_device(official, context)
    once = Once(official, action, application_id)
    application = steps.scoped_application(db.session, official, application_id)
    if once.done is not None:
        db.session.commit()
        return application_file(db.session, official, application, context), 200, REPLAYED
    actions.take_action(db.session, official, application, action, data, context)
    once.keep({"application_id": application.id}, context, application.id)
    _commit_or_conflict()
    return application_file(db.session, official, application, context)


# One route per action, so each has its own documented body; together they are DESIGN §5's
# POST /api/v1/applications/<id>/actions/<action>.
ACTION_PATH = "/applications/<int(max=2147483647):application_id>/actions/"


@blp.route(ACTION_PATH + "start_review")
class StartReview(MethodView):
    """Take a submitted application into review."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.StartReviewSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """start_review: the decision deadline starts counting; optionally assign the reviewer."""
        return _act(application_id, "start_review", data)


@blp.route(ACTION_PATH + "assign")
class Assign(MethodView):
    """Who verifies the household."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.AssignSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """assign: the village head (or an officer of the commune) who verifies."""
        return _act(application_id, "assign", data)


@blp.route(ACTION_PATH + "verify")
class Verify(MethodView):
    """The verification survey (Phiếu B)."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.VerifySchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """verify: the facts found at the household and each member's identity; the official
        assessment is computed from them."""
        return _act(application_id, "verify", data)


@blp.route(ACTION_PATH + "record_meeting")
class RecordMeeting(MethodView):
    """The village meeting's vote on this household."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.MeetingActionSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """record_meeting: at least 50% of the attendees agreeing passes, less sends the household
        back to verification (POST /api/v1/meetings records a whole village's)."""
        return _act(application_id, "record_meeting", data)


@blp.route(ACTION_PATH + "post")
class Post(MethodView):
    """The public posting of this household."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.PostActionSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """post: the posting's dates; the end defaults to the configured working days."""
        return _act(application_id, "post", data)


@blp.route(ACTION_PATH + "complaint")
class Complaint(MethodView):
    """A complaint during the posting."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.ComplaintSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """complaint: what was complained about; the household goes back to verification."""
        return _act(application_id, "complaint", data)


@blp.route(ACTION_PATH + "district_opinion")
class DistrictOpinion(MethodView):
    """The higher level's opinion, where the province still asks for one."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.DistrictOpinionSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """district_opinion: only where DISTRICT_OPINION_REQUIRED is on (409 elsewhere)."""
        return _act(application_id, "district_opinion", data)


@blp.route(ACTION_PATH + "decide")
class Decide(MethodView):
    """The commune chair's decision on this household."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.DecideActionSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """decide: recognised, or refused with written reasons, by the decision's number and
        date; the posting must be over and no possible duplicate open."""
        return _act(application_id, "decide", data)


@blp.route(ACTION_PATH + "withdraw")
class Withdraw(MethodView):
    """Withdrawal at the resident's request."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.WithdrawActionSchema)
    @blp.response(200, files.ApplicationFileSchema)
    def post(self, data, application_id: int):
        """withdraw: the resident asked the commune in writing or in person."""
        return _act(application_id, "withdraw", data)


@official_required()
def unknown_action(application_id: int, action: str):
    """Any other action: a 404 that names the actions there are."""
    raise NotFound(f"There is no action {action!r}; known: {', '.join(actions.RUNNERS)}.")


# Added with Flask's own add_url_rule, so the OpenAPI document lists only the real actions (a
# route with a fixed last segment wins over this one).
FlaskBlueprint.add_url_rule(
    blp, ACTION_PATH + "<action>", "unknown_action", unknown_action, methods=["POST"]
)


@blp.route("/meetings")
class Meetings(MethodView):
    """A village meeting on a whole list of households."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC)
    @blp.arguments(schemas.MeetingSchema)
    @blp.response(201, files.MeetingRecordedSchema)
    def post(self, data):
        """Record the meeting and each household's vote (< 50% agreeing: back to review)."""
        official = require_official()
        context = node_context()
        check_device(official, context)
        once = Once(official, "meetings", None)
        if once.done is not None:
            db.session.commit()
            return once.done, 201, REPLAYED
        meeting = actions.hold_meeting(db.session, official, data, context)
        answer = {
            "meeting_id": meeting.id,
            "passed": [v.application_id for v in meeting.votes if v.passed],
        }
        once.keep(answer, context)
        _commit_or_conflict()
        return answer


@blp.route("/postings")
class Postings(MethodView):
    """A public posting of several households."""

    @official_required()
    @blp.arguments(schemas.PostingSchema)
    @blp.response(201, files.PostingRecordedSchema)
    def post(self, data):
        """Post the results; the end date defaults to the configured working days."""
        posting = actions.post_many(db.session, require_official(), data, node_context())
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
    @blp.response(201, files.DecisionRecordedSchema)
    def post(self, data):
        """Recognise or refuse (refusals with written reasons); certificates are issued."""
        decision = actions.decide_many(db.session, require_official(), data, node_context())
        _commit_or_conflict()
        return {"decision_id": decision.id, "number": decision.number}


@blp.route("/periodic-reviews")
class PeriodicReviews(MethodView):
    """The yearly periodic review."""

    @official_required()
    @blp.arguments(schemas.PeriodicReviewSchema)
    @blp.response(201, files.PeriodicReviewOpenedSchema)
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
    @blp.response(200, files.DuplicateResolvedSchema)
    def post(self, data, flag_id: int):
        """merged, withdrawn (this application) or distinct (different people after all)."""
        flag = actions.settle_duplicate(db.session, require_official(), flag_id, data,
                                        node_context())  # fmt: skip
        _commit_or_conflict()
        return {"id": flag.id, "resolution": flag.resolution}


@blp.route("/worklist")
class Worklist(MethodView):
    """What is due."""

    @official_required()
    @blp.arguments(schemas.WorklistQuerySchema, location="query")
    @blp.response(200, files.WorklistSchema)
    def get(self, query):
        """Open applications in your area, overdue first, with working days left and what you
        may do with each now; a page at a time (``after``: the ``next_after`` of the page
        before)."""
        context = node_context()
        page = worklist(db.session, require_official(), context, **query)
        codes = village_codes(db.session, [item.application for item in page.items])
        return {
            "items": [
                {
                    **application_summary(
                        item.application, context.today, codes.get(item.application.village_id)
                    ),
                    "next_step": item.next_step,
                    "working_days_left": item.working_days_left,
                    "posting_ends_on": item.posting_ends_on.isoformat()
                    if item.posting_ends_on
                    else None,
                    "allowed_actions": item.actions,
                }
                for item in page.items
            ],
            "next_after": page.next_after,
            "by_status": {
                status: {"count": count.value, "exact": count.exact}
                for status, count in page.by_status.items()
            },
            "overdue": {"count": page.overdue.value, "exact": page.overdue.exact},
        }
