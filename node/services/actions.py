"""The review's actions as the API and the officials' pages take them: each input, as its
schema in node.schemas.review loads it, handed to the service that does it.

Both layers call these, so an action from a page and the same action from a program run the
same code with the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.review import Decision, DuplicateFlag, Meeting, Posting
from node.services import decisions, duplicates, review, steps
from node.services.context import NodeContext
from node.services.errors import NotFound
from node.services.scopes import Official

Runner = Callable[[Session, Official, Application, NodeContext, dict[str, Any]], object]


def _start_review(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    return review.start_review(session, official, application, context, **data)


def _assign(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    return review.assign_reviewer(
        session, official, application, data["user_id"], context, data["version"]
    )


def _verify(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    return review.record_verification(session, official, application, context, **data)


def _versions(application: Application, data: dict[str, Any]) -> dict[int, int]:
    version = data.pop("version")
    return {application.id: version} if version is not None else {}


def _record_meeting(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    versions = _versions(application, data)
    votes = [(application.id, data.pop("agreeing"))]
    return review.record_meeting(session, official, context, votes=votes, versions=versions, **data)


def _post(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    versions = _versions(application, data)
    return review.post_results(
        session, official, context, application_ids=[application.id], versions=versions, **data
    )


def _complaint(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    data["received_on"] = data["received_on"] or context.today
    return review.record_complaint(session, official, application, context, **data)


def _district_opinion(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    return review.record_district_opinion(session, official, application, context, **data)


def _decide(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    line = decisions.DecisionLine(
        application.id, data.pop("outcome"), data.pop("reasons"), data.pop("version")
    )
    return decisions.decide(session, official, context, lines=[line], **data)


def _withdraw(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    data: dict[str, Any],
) -> object:
    return steps.withdraw_by_official(session, official, application, context, **data)


RUNNERS: dict[str, Runner] = {
    "start_review": _start_review,
    "assign": _assign,
    "verify": _verify,
    "record_meeting": _record_meeting,
    "post": _post,
    "complaint": _complaint,
    "district_opinion": _district_opinion,
    "decide": _decide,
    "withdraw": _withdraw,
}


def take_action(
    session: Session,
    official: Official,
    application: Application,
    action: str,
    data: dict[str, Any],
    context: NodeContext,
) -> object:
    """Do ``action`` with its loaded input; the services check the policy and flush."""
    return RUNNERS[action](session, official, application, context, dict(data))


# --------------------------------------------------------------- steps for many at once


def hold_meeting(
    session: Session, official: Official, data: dict[str, Any], context: NodeContext
) -> Meeting:
    """A village meeting from MeetingSchema's input: each vote, with its form's version."""
    data = dict(data)
    votes = data.pop("votes")
    return review.record_meeting(
        session,
        official,
        context,
        votes=[(vote["application_id"], vote["agreeing"]) for vote in votes],
        versions={v["application_id"]: v["version"] for v in votes if v["version"] is not None},
        **data,
    )


def post_many(
    session: Session, official: Official, data: dict[str, Any], context: NodeContext
) -> Posting:
    """A public posting from PostingSchema's input."""
    return review.post_results(session, official, context, **data)


def decide_many(
    session: Session, official: Official, data: dict[str, Any], context: NodeContext
) -> Decision:
    """The chair's decision from DecisionSchema's input."""
    data = dict(data)
    lines = [decisions.DecisionLine(**line) for line in data.pop("lines")]
    return decisions.decide(session, official, context, lines=lines, **data)


def settle_duplicate(
    session: Session, official: Official, flag_id: int, data: dict[str, Any], context: NodeContext
) -> DuplicateFlag:
    """A possible duplicate settled, from ResolveDuplicateSchema's input."""
    flag = session.get(DuplicateFlag, flag_id)
    if flag is None:
        raise NotFound("No such flag.")
    steps.scoped_application(session, official, flag.application_id)
    return duplicates.resolve_duplicate(
        session, official, flag, data["resolution"], context, data["note"], version=data["version"]
    )
