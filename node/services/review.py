"""The commune's review of an application, step by step (DESIGN §3, RULES §5).

Each step asks the policy (node.services.workflow.authorize) whether this official may take it
now — role, area, version, status, guards — records what was done as its own row and as a
history event, and writes the audit log. Nothing here commits: the caller does, once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationEvent, is_open
from node.models.review import (
    Complaint,
    DistrictOpinion,
    Meeting,
    MeetingVote,
    Posting,
    PostingItem,
    Verification,
)
from node.models.units import Village
from node.models.users import User
from node.services import audit, search
from node.services.accounts import official_for_user
from node.services.calendar import WorkingCalendar, due_date, load_calendar
from node.services.context import NodeContext
from node.services.duplicates import flag_duplicates, record_identities
from node.services.errors import ValidationFailed
from node.services.identity import normalize_citizen_id, normalize_name, normalize_text
from node.services.paging import capped_count, list_key, parse_list_key, summary_columns
from node.services.places import area_at, with_area
from node.services.scopes import (
    COMMUNE_OFFICER,
    VILLAGE_HEAD,
    Official,
    application_scope,
    require_role,
)
from node.services.steps import READERS, latest_verification, move, scoped_application
from node.services.workflow import (
    Permit,
    authorize,
    meeting_target,
    require_action_role,
)
from shared.standards import InvalidFacts, evaluate

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    """One page of a list, with the total the filters match (exact up to the paging module's
    cap; ``total_exact`` False: more than ``total``), and the tokens of the pages around it."""

    items: list[Application]
    total: int
    page: int
    per_page: int
    total_exact: bool = True
    next_after: str | None = None
    previous_before: str | None = None


def list_applications(
    session: Session,
    official: Official,
    context: NodeContext,
    *,
    status: str | None = None,
    commune: str | None = None,
    village: str | None = None,
    kind: str | None = None,
    period: int | None = None,
    overdue: bool = False,
    page: int = 1,
    per_page: int = 50,
    after: str | None = None,
    before: str | None = None,
    q: str | None = None,
) -> Page:
    """The applications in the official's scope matching the filters (``q``: a search,
    node.services.search), newest first.

    A page is the ``per_page`` rows after the ``after`` token (the last row of the page before)
    or before the ``before`` token (the first row of the page after), read by key through the
    list's index; without either, ``page`` counts pages from the first (OFFSET: fine for the
    first few, and kept for programs that page that way).
    """
    require_role(official, *READERS)
    conditions = _list_conditions(official, status, commune, village, kind, period,
                                  context.today if overdue else None)  # fmt: skip
    if terms := search.parse_query(q):
        conditions.append(search.matching(terms))
    per_page = max(1, min(per_page, MAX_PAGE_SIZE))
    page = max(1, page)
    total = capped_count(session, select(Application).where(*conditions))
    items, more_after, more_before = _list_page(
        session, conditions, per_page, page, after=after, before=before
    )
    # Whether it was a search, never what was searched for (an ID number, a name).
    details = {"count": len(items), "status": status, "commune": commune, "page": page}
    details["search"] = terms is not None
    audit.record(
        session, official, "list_applications", "application", None, context.now, details=details
    )
    first, last = (items[0], items[-1]) if items else (None, None)
    return Page(
        items,
        total.value,
        page,
        per_page,
        total_exact=total.exact,
        next_after=list_key(last.submitted_at, last.id) if last and more_after else None,
        previous_before=list_key(first.submitted_at, first.id) if first and more_before else None,
    )


def _list_conditions(
    official: Official,
    status: str | None,
    commune: str | None,
    village: str | None,
    kind: str | None,
    period: int | None,
    overdue_on: date | None,
) -> list[Any]:
    """The list's WHERE clause: the official's scope and each filter given (``overdue_on``:
    open and due before that day)."""
    conditions = [application_scope(official)]
    if status:
        conditions.append(Application.status == status)
    if commune:
        conditions.append(Application.commune_code == commune)
    if village:
        village_ids = select(Village.id).where(Village.code == village).scalar_subquery()
        conditions.append(Application.village_id.in_(village_ids))
    if kind:
        conditions.append(Application.kind == kind)
    if period:
        conditions.append(Application.period == period)
    if overdue_on:
        conditions.append(Application.due_on < overdue_on)
        conditions.append(is_open())
    return conditions


def _list_page(
    session: Session,
    conditions: list[Any],
    per_page: int,
    page: int,
    *,
    after: str | None,
    before: str | None,
) -> tuple[list[Application], bool, bool]:
    """The page's rows, newest first, and whether there are rows after and before them."""
    key = tuple_(Application.submitted_at, Application.id)
    newest_first = (Application.submitted_at.desc(), Application.id.desc())
    query = select(Application).where(*conditions).options(summary_columns())
    if before:
        moment, row_id = parse_list_key(before, "before")
        # The rows just newer than the token, read oldest first up to it, then turned round.
        rows = list(
            session.scalars(
                query.where(key > tuple_(moment, row_id))
                .order_by(Application.submitted_at, Application.id)
                .limit(per_page + 1)
            )
        )
        return list(reversed(rows[:per_page])), True, len(rows) > per_page
    if after:
        moment, row_id = parse_list_key(after, "after")
        query = query.where(key < tuple_(moment, row_id))
    else:
        query = query.offset((page - 1) * per_page)
    rows = list(session.scalars(query.order_by(*newest_first).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page, bool(after) or page > 1


def read_application(
    session: Session,
    official: Official,
    application_id: int,
    context: NodeContext,
    why: str | None = None,
) -> Application:
    """Open an application's file: a read of personal data, so it goes in the audit log."""
    application = scoped_application(session, official, application_id)
    audit.record(
        session,
        official,
        "read",
        "application",
        application.id,
        context.now,
        application_id=application.id,
        household_id=application.household_id,
        why=why,
    )
    return application


def start_review(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    *,
    assign_to: int | None = None,
    version: int | None = None,
) -> Application:
    """Take a submitted application into review; its decision deadline starts counting now."""
    permit = authorize(session, official, application, "start_review", context, version=version)
    move(session, application, permit, "under_review", context)
    days, working_days = context.rules.deadline(application.kind)
    application.due_on = due_date(
        load_calendar(session), context.today, days, working_days=working_days
    )
    if assign_to is not None:
        _assign(session, official, application, assign_to, context)
    session.flush()
    return application


def assign_reviewer(
    session: Session,
    official: Official,
    application: Application,
    user_id: int,
    context: NodeContext,
    version: int | None = None,
) -> Application:
    """Assign the village head (or another official of the commune) who will verify."""
    authorize(session, official, application, "assign", context, version=version)
    _assign(session, official, application, user_id, context, field="user_id")
    session.flush()
    return application


def _assign(
    session: Session,
    official: Official,
    application: Application,
    user_id: int,
    context: NodeContext,
    field: str = "assign_to",
) -> None:
    """Assign the reviewer; a refusal names ``field``, the input that gave the user id."""
    user = session.get(User, user_id) if type(user_id) is int else None
    reviewer = official_for_user(user) if user is not None and user.active else None
    if reviewer is None or reviewer.role not in (VILLAGE_HEAD, COMMUNE_OFFICER):
        raise ValidationFailed("Choose a village head or officer.", {field: "not a reviewer"})
    in_scope = session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.id == application.id, application_scope(reviewer))
    )
    if not in_scope:
        raise ValidationFailed(
            "That reviewer does not cover this household's village.",
            {field: "outside the reviewer's villages"},
        )
    application.assigned_to_id = user_id
    application.events.append(
        ApplicationEvent(
            at=context.now,
            action="assign",
            from_status=application.status,
            to_status=application.status,
            actor_role=official.role,
            actor_id=official.user_id,
        )
    )
    audit.record(
        session,
        official,
        "assign",
        "application",
        application.id,
        context.now,
        application_id=application.id,
        details={"assign_to": user_id},
    )


def _identities(raw: Any, members: int) -> list[dict[str, Any]]:
    """Each member's name, citizen ID (optional for children) and ethnicity, checked."""
    fields: dict[str, str] = {}
    if not isinstance(raw, list) or len(raw) != members:
        raise ValidationFailed(
            "Give one identity per member.", {"identities": f"expected {members} entries"}
        )
    identities = []
    for index, item in enumerate(raw):
        prefix = f"identities.{index}"
        if not isinstance(item, dict):
            fields[prefix] = "expected an object"
            continue
        name = (
            normalize_name(item.get("full_name") or "")
            if isinstance(item.get("full_name"), str)
            else None
        )
        if name is None:
            fields[f"{prefix}.full_name"] = "enter the member's full name"
        citizen_id = item.get("citizen_id")
        if citizen_id not in (None, ""):
            citizen_id = normalize_citizen_id(citizen_id) if isinstance(citizen_id, str) else None
            if citizen_id is None:
                fields[f"{prefix}.citizen_id"] = "must be 12 digits"
        else:
            citizen_id = None
        ethnicity = item.get("ethnicity")
        if ethnicity is not None and not isinstance(ethnicity, str):
            fields[f"{prefix}.ethnicity"] = "must be text"
            ethnicity = None
        identities.append(
            {
                "full_name": name,
                "citizen_id": citizen_id,
                "ethnicity": normalize_text(ethnicity) if ethnicity else None,
            }
        )
    if fields:
        raise ValidationFailed("Some members' identities are not valid.", fields)
    return identities


def record_verification(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    *,
    facts: Any,
    identities: Any,
    address: str | None = None,
    version: int | None = None,
) -> Verification:
    """The reviewer's verified facts (Phiếu B); the official assessment is computed from them."""
    permit = authorize(session, official, application, "verify", context, version=version)
    # The reviewer records the household, not its area: that follows the units (issue 14 §3).
    facts = with_area(facts, area_at(session, application.commune_code, application.village_id))
    try:
        assessment = evaluate(facts)
    except InvalidFacts as error:
        raise ValidationFailed(
            "The verified facts are not valid.",
            {f"facts.{path}": message for path, message in error.fields.items()},
        ) from None
    if facts["period"] != application.period:
        raise ValidationFailed(
            "The verified facts are for another period.",
            {"facts.period": f"this application is for {application.period}"},
        )
    checked = _identities(identities, len(facts["members"]))
    verification = Verification(
        application_id=application.id,
        verified_by=official.user_id,
        verified_at=context.now,
        facts=facts,
        identities=checked,
        head_address=normalize_text(address) if address else None,
        assessment=assessment,
        classification=assessment["classification"],
        standard_id=assessment["standard_id"],
    )
    session.add(verification)
    move(session, application, permit, "under_review", context)
    session.flush()
    record_identities(session, verification)
    search.index_names(session, application.id, application.applicant_name)
    head = next(i for i, member in enumerate(facts["members"]) if member["relation"] == "head")
    flag_duplicates(session, application, checked, checked[head]["citizen_id"], context)
    return verification


def compare_assessments(
    self_assessment: dict[str, Any], official: dict[str, Any] | None
) -> dict[str, Any]:
    """What the official assessment changes from the resident's self-assessment."""
    if official is None:
        return {"verified": False}
    declared, verified = self_assessment["deprivations"], official["deprivations"]
    return {
        "verified": True,
        "classification_differs": self_assessment["classification"] != official["classification"],
        "income_per_capita": {
            "declared": self_assessment["income_per_capita"],
            "verified": official["income_per_capita"],
        },
        # In the legal order the assessments list them.
        "deprivations_added": [code for code in verified if code not in declared],
        "deprivations_removed": [code for code in declared if code not in verified],
    }


def _meeting_input(attendees: Any, votes: Sequence[tuple[int, int]]) -> dict[str, str]:
    """What is wrong with a meeting's figures, by field (nothing: an empty dict); its date is
    the policy's to judge (node.services.workflow)."""
    fields: dict[str, str] = {}
    if type(attendees) is not int or attendees <= 0:
        fields["attendees"] = "must be a whole number above 0"
    if not votes:
        fields["votes"] = "list at least one household"
    for index, (_, agreeing) in enumerate(votes):
        if type(agreeing) is not int or agreeing < 0:
            fields[f"votes.{index}.agreeing"] = "must be a whole number, 0 or more"
        elif not fields.get("attendees") and agreeing > attendees:
            fields[f"votes.{index}.agreeing"] = "cannot be more than the attendees"
    return fields


def _meeting_households(
    session: Session,
    official: Official,
    context: NodeContext,
    votes: Sequence[tuple[int, int]],
    versions: Mapping[int, int],
    held_on: date,
) -> list[tuple[Application, Verification, Permit]]:
    """Each voted household, verified and under review, with its permit for a meeting on
    ``held_on``; all of one commune."""
    checked = []
    for application_id, _ in votes:
        if type(application_id) is not int:
            raise ValidationFailed("Unknown application.", {"application_id": "expected an id"})
        application = scoped_application(session, official, application_id)
        version = versions.get(application_id)
        permit = authorize(session, official, application, "record_meeting", context,
                           version=version, on=held_on)  # fmt: skip
        checked.append((application, latest_verification(session, application), permit))
    if len({application.id for application, _, _ in checked}) != len(checked):
        raise ValidationFailed("A household is listed twice.", {"votes": "duplicate household"})
    if len({application.commune_code for application, _, _ in checked}) != 1:
        raise ValidationFailed("A meeting is held in one commune.", {"votes": "several communes"})
    return checked


def record_meeting(
    session: Session,
    official: Official,
    context: NodeContext,
    *,
    held_on: date,
    attendees: int,
    votes: Sequence[tuple[int, int]],
    village_code: str | None = None,
    chaired_by: str | None = None,
    notes: str | None = None,
    versions: Mapping[int, int] | None = None,
) -> Meeting:
    """A village meeting and its vote on each verified household; < 50% agreeing means redo.

    ``votes`` pairs each application id with the number agreeing; ``versions`` maps an
    application id to the version its form was opened at (a stale one changes nothing).
    """
    require_action_role(official, "record_meeting")
    fields = _meeting_input(attendees, votes)
    if fields:
        raise ValidationFailed("The meeting record is not valid.", fields)
    checked = _meeting_households(session, official, context, votes, versions or {}, held_on)
    commune_code = checked[0][0].commune_code
    village = None
    if village_code:
        village = session.scalar(select(Village).where(Village.code == village_code))
        if village is None or village.commune_code != commune_code:
            raise ValidationFailed("Unknown village.", {"village_code": "not in this commune"})
        if official.level == "village" and village.code not in official.unit_codes:
            # A village head records the meetings of their own villages only.
            raise ValidationFailed(
                "Not your village.", {"village_code": "not one of your villages"}
            )
    meeting = Meeting(
        village_id=village.id if village else None,
        commune_code=commune_code,
        held_on=held_on,
        attendees=attendees,
        chaired_by=normalize_text(chaired_by) if chaired_by else None,
        notes=notes.strip() if notes else None,
        recorded_by=official.user_id,
        recorded_at=context.now,
    )
    session.add(meeting)
    for (application, verification, permit), (_, agreeing) in zip(checked, votes, strict=True):
        target = meeting_target(agreeing, attendees, context.rules.meeting_agreement_percent)
        meeting.votes.append(
            MeetingVote(
                application_id=application.id,
                agreeing=agreeing,
                proposed_classification=verification.classification,
                passed=target == "meeting_held",
            )
        )
        move(session, application, permit, target, context, note=f"{agreeing}/{attendees}")
    session.flush()
    return meeting


def post_results(
    session: Session,
    official: Official,
    context: NodeContext,
    *,
    application_ids: Sequence[int],
    starts_on: date,
    ends_on: date | None = None,
    versions: Mapping[int, int] | None = None,
) -> Posting:
    """Post the meeting's results publicly; the posting lasts at least the configured working
    days of the node's calendar (to the last of them unless ``ends_on`` says longer).

    ``versions`` maps an application id to the version its form was opened at.
    """
    require_action_role(official, "post")
    calendar = load_calendar(session)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(
            "The posting ends before it starts.", {"ends_on": "before starts_on"}
        )
    if not application_ids:
        raise ValidationFailed("List at least one household.", {"application_ids": "empty"})
    if len(set(application_ids)) != len(application_ids):
        raise ValidationFailed("A household is listed twice.", {"application_ids": "duplicate"})
    applications = [scoped_application(session, official, app_id) for app_id in application_ids]
    kinds = {application.kind for application in applications}
    ends_on = ends_on or default_posting_end(calendar, starts_on, context, kinds)
    permits = [
        authorize(session, official, application, "post", context,
                  version=(versions or {}).get(application.id), on=starts_on, until=ends_on,
                  calendar=calendar)
        for application in applications
    ]  # fmt: skip
    communes = {application.commune_code for application in applications}
    if len(communes) != 1:
        raise ValidationFailed("A posting is for one commune.", {"application_ids": "mixed"})
    posting = Posting(
        commune_code=communes.pop(),
        starts_on=starts_on,
        ends_on=ends_on,
        posted_by=official.user_id,
        posted_at=context.now,
    )
    session.add(posting)
    for application, permit in zip(applications, permits, strict=True):
        verification = latest_verification(session, application)
        move(session, application, permit, "posted", context)
        posting.items.append(
            PostingItem(
                application_id=application.id,
                proposed_classification=verification.classification,
            )
        )
    session.flush()
    return posting


def default_posting_end(
    calendar: WorkingCalendar, starts_on: date, context: NodeContext, kinds: Iterable[str]
) -> date:
    """The configured working days after the start, the longest of the kinds' procedures (a
    confirmation's posting is longer); a start in the future is the policy's to refuse (and
    9999-12-31 has no day after it)."""
    if starts_on > context.today:
        return starts_on
    days = max((context.rules.posting_days(kind) for kind in kinds), default=0)
    return calendar.add_working_days(starts_on, days or context.rules.posting_working_days)


def current_posting(session: Session, application: Application) -> Posting | None:
    """The latest posting that listed the application."""
    return session.scalar(
        select(Posting)
        .join(PostingItem)
        .where(PostingItem.application_id == application.id)
        .order_by(Posting.id.desc())
        .limit(1)
    )


def record_complaint(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    *,
    content: str,
    received_on: date,
    complainant: str | None = None,
    version: int | None = None,
) -> Complaint:
    """A complaint against a posted result: the household goes back to review (step 2)."""
    permit = authorize(
        session, official, application, "complaint", context, version=version, on=received_on
    )
    text = normalize_text(content or "")
    if not text:
        raise ValidationFailed("Write what the complaint says.", {"content": "required"})
    posting = current_posting(session, application)
    complaint = Complaint(
        application_id=application.id,
        posting_id=posting.id if posting else None,
        received_on=received_on,
        complainant=normalize_text(complainant) if complainant else None,
        content=text,
        recorded_by=official.user_id,
        recorded_at=context.now,
    )
    move(session, application, permit, "under_review", context)
    session.add(complaint)
    session.flush()
    return complaint


def record_district_opinion(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    *,
    received_on: date,
    agrees: bool,
    note: str | None = None,
    version: int | None = None,
) -> DistrictOpinion:
    """The opinion some provinces still ask before the chair decides (optional step)."""
    authorize(
        session,
        official,
        application,
        "district_opinion",
        context,
        version=version,
        on=received_on,
    )
    opinion = DistrictOpinion(
        application_id=application.id,
        received_on=received_on,
        agrees=bool(agrees),
        note=normalize_text(note) if note else None,
        recorded_by=official.user_id,
    )
    session.add(opinion)
    audit.record(
        session,
        official,
        "district_opinion",
        "application",
        application.id,
        context.now,
        application_id=application.id,
    )
    session.flush()
    return opinion
