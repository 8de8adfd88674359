"""Who may do what next with an application (DESIGN §2–3, RULES §5): one table, asked everywhere.

    submitted → under_review → meeting_held → posted → decided (recognised | refused)
    submitted, under_review, meeting_held, posted → withdrawn
    meeting_held with < 50% agreement → under_review; a complaint during posting → under_review

The confirmations (an average living standard, low-income workers: Decision 24/2021 Art. 3
cl. 2, Art. 6) hold no village meeting: verified, they go from under_review to posted, for the
procedure's longer posting at the commune office; the rest is the same. The kind is on the
standing, so the guards decide it here, never a view.

Each action in ``ACTIONS`` names the statuses it may start from, where it leads, the roles that
may take it and the guards that must hold (the household verified, the posting over, no
duplicate left open, the district opinion when the node asks one), the dates of the procedure
among them (RULES §5): a step's date is on or after the previous step's and not in the future, a
posting lasts the configured working days of the node's calendar, a complaint falls inside the
posting, and the chair decides only once the posting is over by the server's clock, dating the
decision after it. A guard on a state is a 409 (and keeps the action out of
``allowed_actions``); a guard on a date the input gives is a 422 naming that input. Services
call ``authorize`` before they change anything and get a ``Permit`` that
``node.services.steps.move`` requires; the file view, the worklist, the officials' pages and the
API's 409 body all list ``allowed_actions`` — the same answer, from the same table, never
re-derived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import (
    CONFIRMATION_KINDS,
    MEETING_KINDS,
    OPEN_STATUSES,
    STATUSES,
    Application,
)
from node.models.review import DistrictOpinion, DuplicateFlag, Verification
from node.services.calendar import WorkingCalendar, load_calendar
from node.services.context import NodeContext
from node.services.errors import (
    Conflict,
    GuardRefused,
    Refusal,
    StaleVersion,
    ValidationFailed,
)
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    VILLAGE_HEAD,
    Official,
    application_scope,
    not_in_scope,
    require_role,
)
from node.services.timeline import load_timelines

INITIAL_STATUS = "submitted"
# An application is open while the commune still works on it (OPEN_STATUSES, defined with the
# model: the worklist's indexes hold only those), closed once decided or withdrawn.
CLOSED_STATUSES = ("decided", "withdrawn")
# The database's list of statuses (node.models.applications) is exactly these two.
if set(OPEN_STATUSES) | set(CLOSED_STATUSES) != set(STATUSES):  # pragma: no cover - a typo
    raise RuntimeError("OPEN_STATUSES and CLOSED_STATUSES must partition the statuses")


@dataclass(frozen=True)
class Standing:
    """What the guards read about an application besides its status (``load_standings``), and
    the dates a step's input gives (``authorize``)."""

    in_scope: bool
    verified: bool
    open_duplicates: int
    opinion_recorded: bool
    opinion_required: bool
    # The server's day.
    today: date
    # The application's kind (its procedure) and status when the standing was read.
    kind: str = "enter"
    status: str = "submitted"
    # The latest date of the review's chain of steps (node.services.timeline), the posting in
    # force, the latest district opinion.
    floor: date | None = None
    posting_starts_on: date | None = None
    posting_ends_on: date | None = None
    opinion_on: date | None = None
    # The date the step's input gives it (held_on, starts_on, received_on, decided_on), a
    # posting's last day and the earliest last day the configured working days allow; None
    # while nobody has given one (``allowed_actions``: what may be done at all).
    on: date | None = None
    until: date | None = None
    earliest_until: date | None = None
    posting_days: int = 0


@dataclass(frozen=True)
class Guard:
    """A condition an action needs beyond its status, and the refusal when it does not hold.

    ``judges`` says which date of the input the guard judges ("on": the step's date, "until":
    a posting's last day): such a guard holds while no date is given, and its refusal is a 422
    naming the input; the others judge the record's state and are a 409.
    """

    code: str
    holds: Callable[[Standing], bool]
    # Formatted with ``application`` (its id) and the standing's dates.
    refusal: str
    judges: str | None = None


VERIFIED = Guard(
    "verified", lambda s: s.verified, "Application {application} is not verified and under review."
)
POSTING_OVER = Guard(
    "posting_over",
    # By the server's clock: the posting's last day has passed.
    lambda s: s.posting_ends_on is not None and s.today > s.posting_ends_on,
    "The public posting of application {application} runs until {posting_ends_on}; "
    "complaints may still come.",
)
NO_OPEN_DUPLICATES = Guard(
    "no_open_duplicates",
    lambda s: not s.open_duplicates,
    "Application {application} has possible duplicates to resolve first.",
)
OPINION_IF_REQUIRED = Guard(
    "opinion_recorded",
    lambda s: s.opinion_recorded or not s.opinion_required,
    "Application {application} needs the district opinion first.",
)
# The optional step of RULES §5: only where the province (DISTRICT_OPINION_REQUIRED) asks it.
OPINION_ASKED = Guard(
    "opinion_asked", lambda s: s.opinion_required, "This node does not ask for a district opinion."
)
# A village meeting belongs to the requests of Mẫu 01 and 04 only.
MEETING_IN_PROCEDURE = Guard(
    "meeting_in_procedure",
    lambda s: s.kind in MEETING_KINDS,
    "Application {application} is a confirmation: its procedure holds no village meeting.",
)
# What a posting follows: the village meeting's agreement, or for a confirmation (no meeting)
# the verification.
MEETING_AGREED = Guard(
    "meeting_agreed",
    lambda s: s.kind not in MEETING_KINDS or s.status == "meeting_held",
    "Application {application} needs the village meeting's agreement before the posting.",
)
VERIFIED_CONFIRMATION = Guard(
    "verified",
    lambda s: s.kind not in CONFIRMATION_KINDS or s.verified,
    "Application {application} is not verified and under review.",
)
HAS_OPEN_DUPLICATES = Guard(
    "has_open_duplicates",
    lambda s: s.open_duplicates > 0,
    "Application {application} has no possible duplicate open.",
)
# The dates of the steps. Paper work entered late (a meeting held last week) passes them.
NOT_IN_FUTURE = Guard(
    "not_in_future",
    lambda s: s.on is None or s.on <= s.today,
    "cannot be after today ({today})",
    judges="on",
)
AFTER_PREVIOUS_STEP = Guard(
    "after_previous_step",
    lambda s: s.on is None or s.floor is None or s.on >= s.floor,
    "cannot be before {floor}, the date of this application's previous step",
    judges="on",
)
WITHIN_POSTING = Guard(
    "within_posting",
    lambda s: (
        s.on is None
        or (s.posting_starts_on is not None and s.posting_starts_on <= s.on <= s.posting_ends_on)
    ),
    "must fall within the public posting, {posting_starts_on} to {posting_ends_on}",
    judges="on",
)
LONG_ENOUGH = Guard(
    "posting_long_enough",
    lambda s: s.until is None or s.earliest_until is None or s.until >= s.earliest_until,
    "a posting lasts at least {posting_days} working days: it ends on {earliest_until} "
    "at the earliest",
    judges="until",
)
AFTER_POSTING = Guard(
    "after_posting",
    lambda s: s.on is None or (s.posting_ends_on is not None and s.on > s.posting_ends_on),
    "must be after the public posting, which ends on {posting_ends_on}",
    judges="on",
)
AFTER_OPINION = Guard(
    "after_opinion",
    lambda s: s.on is None or s.opinion_on is None or s.on >= s.opinion_on,
    "cannot be before the district opinion came in ({opinion_on})",
    judges="on",
)
DATED_STEP = (NOT_IN_FUTURE, AFTER_PREVIOUS_STEP)


@dataclass(frozen=True)
class Action:
    """An action: the statuses it starts from, where it leads, who may take it, its guards."""

    name: str
    sources: frozenset[str]
    # Empty: the action records something and the status stays as it is.
    targets: frozenset[str]
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    # The inputs that date the step and end it (a posting), which the date guards judge.
    dated_by: str | None = None
    ends_by: str | None = None

    def leads_to(self, source: str, target: str) -> bool:
        """Whether taking the action from ``source`` may leave the application in ``target``."""
        return target in self.targets if self.targets else target == source


def _action(
    name: str,
    sources: Iterable[str],
    targets: Iterable[str],
    roles: Iterable[str],
    *guards: Guard,
    dated_by: str | None = None,
    ends_by: str | None = None,
) -> Action:
    return Action(
        name, frozenset(sources), frozenset(targets), frozenset(roles), guards, dated_by, ends_by
    )


OFFICER = (COMMUNE_OFFICER,)
REVIEWERS = (VILLAGE_HEAD, COMMUNE_OFFICER)
STAYS: tuple[str, ...] = ()

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        # Residents withdraw on their own only before the review starts (services.applications);
        # later the commune withdraws on their written request, or closes a duplicate.
        _action("withdraw", OPEN_STATUSES, ("withdrawn",), OFFICER),
        _action("start_review", ("submitted",), ("under_review",), OFFICER),
        _action("assign", ("submitted", "under_review"), STAYS, OFFICER),
        _action("verify", ("under_review",), ("under_review",), REVIEWERS),
        # At least the procedure's share of the attendees agreeing passes (``meeting_target``);
        # else verify again.
        _action(
            "record_meeting",
            ("under_review",),
            ("meeting_held", "under_review"),
            REVIEWERS,
            MEETING_IN_PROCEDURE,
            VERIFIED,
            *DATED_STEP,
            dated_by="held_on",
        ),
        # After the meeting; a confirmation straight from its verification.
        _action(
            "post",
            ("under_review", "meeting_held"),
            ("posted",),
            OFFICER,
            MEETING_AGREED,
            VERIFIED_CONFIRMATION,
            *DATED_STEP,
            LONG_ENOUGH,
            dated_by="starts_on",
            ends_by="ends_on",
        ),
        # Received during the posting, though it may be entered after its end.
        _action(
            "complaint",
            ("posted",),
            ("under_review",),
            OFFICER,
            NOT_IN_FUTURE,
            WITHIN_POSTING,
            dated_by="received_on",
        ),
        _action(
            "district_opinion",
            ("posted",),
            STAYS,
            OFFICER,
            OPINION_ASKED,
            *DATED_STEP,
            dated_by="received_on",
        ),
        _action(
            "decide",
            ("posted",),
            ("decided",),
            (COMMUNE_CHAIR,),
            POSTING_OVER,
            NO_OPEN_DUPLICATES,
            OPINION_IF_REQUIRED,
            NOT_IN_FUTURE,
            AFTER_POSTING,
            AFTER_OPINION,
            dated_by="decided_on",
        ),
        # Taken at POST /api/v1/duplicates/<flag>/resolve; "withdrawn" also withdraws.
        _action("resolve_duplicate", OPEN_STATUSES, STAYS, OFFICER, HAS_OPEN_DUPLICATES),
    )
}


def step_key(kind: str, status: str) -> str:
    """What an application of ``kind`` waits for at ``status``, as the keys of the next-step
    texts (worklist, officials' pages, the resident's status): a confirmation under review
    waits for its posting, not a village meeting."""
    if status == "under_review" and kind in CONFIRMATION_KINDS:
        return "under_review_confirmation"
    return status


def meeting_target(agreeing: int, attendees: int, percent: int = 50) -> str:
    """Where a village meeting's vote leaves the household: at least ``percent`` of the
    attendees agreeing passes (at 50%, 3 of 6 does, 2 of 5 does not), anything less sends it
    back to verification. Whole numbers only, so no rounding decides a vote."""
    return "meeting_held" if agreeing * 100 >= attendees * percent else "under_review"


# ------------------------------------------------------------------------------ the answers


def allowed_actions(official: Official, application: Application, standing: Standing) -> list[str]:
    """The actions ``official`` may take on the application now, in the table's order."""
    if not standing.in_scope:
        return []
    return [
        action.name
        for action in ACTIONS.values()
        if official.role in action.roles
        and application.status in action.sources
        and all(guard.holds(standing) for guard in action.guards)
    ]


def unmet_guards(action: str, standing: Standing) -> list[str]:
    """The codes of the guards of ``action`` that do not hold (what a page says still stands in
    the way, e.g. the chair's decision form)."""
    return [guard.code for guard in ACTIONS[action].guards if not guard.holds(standing)]


@dataclass(frozen=True)
class Permit:
    """What ``authorize`` hands a service: proof that the official may take the action now."""

    action: Action
    official: Official
    application_id: int
    standing: Standing


def require_action_role(official: Official, action: str) -> None:
    """Forbidden (403) unless the official's role may ever take ``action``: a batch checks this
    before reading its input, then ``authorize`` for each household."""
    require_role(official, *ACTIONS[action].roles)


def authorize(
    session: Session,
    official: Official,
    application: Application,
    action: str,
    context: NodeContext,
    *,
    version: int | None = None,
    on: date | None = None,
    until: date | None = None,
    calendar: WorkingCalendar | None = None,
) -> Permit:
    """Check everything the table asks before ``action``, in this order: the role (403), the
    official's area (404, as for no record), the version the form was opened at, the status and
    the guards on the record's state (409, listing what the official may do instead), then the
    dates the input gives — ``on`` the step's, ``until`` a posting's last day, counted on
    ``calendar`` (the node's, loaded when not given) — (422 naming each wrong input)."""
    spec = ACTIONS[action]
    require_action_role(official, action)
    standing = load_standings(session, official, [application], context)[application.id]
    if not standing.in_scope:
        raise not_in_scope()
    if version is not None and version != application.version:
        # A form opened before someone else acted must not overwrite what they did.
        raise StaleVersion(
            "Someone else changed this application since you opened it; reload and try again.",
            allowed=allowed_actions(official, application, standing),
        )
    if application.status not in spec.sources:
        message = f"'{action}' is not allowed while the application is '{application.status}'"
        raise GuardRefused(
            message,
            Refusal(message, "status", status=application.status),
            allowed=allowed_actions(official, application, standing),
        )
    for guard in spec.guards:
        if guard.judges is None and not guard.holds(standing):
            message = guard.refusal.format(**_dates(standing), application=application.id)
            raise GuardRefused(
                message,
                Refusal(message, guard.code, **_dates(standing)),
                allowed=allowed_actions(official, application, standing),
            )
    dated = _dated(session, spec, standing, context, on, until, calendar)
    refused = _refused_dates(spec, dated)
    if refused:
        raise ValidationFailed("The dates do not follow the procedure.", refused)
    return Permit(spec, official, application.id, dated)


def _dated(
    session: Session,
    spec: Action,
    standing: Standing,
    context: NodeContext,
    on: date | None,
    until: date | None,
    calendar: WorkingCalendar | None,
) -> Standing:
    """The standing with the dates the input gives (a posting's earliest end from the node's
    calendar, after the working days of the application's procedure)."""
    earliest = None
    days = context.rules.posting_days(standing.kind)
    if spec.ends_by is not None and on is not None and on <= standing.today:
        calendar = calendar if calendar is not None else load_calendar(session)
        earliest = calendar.add_working_days(on, days)
    return replace(standing, on=on, until=until, earliest_until=earliest, posting_days=days)


def _refused_dates(spec: Action, standing: Standing) -> dict[str, str]:
    """The inputs whose dates a guard of ``spec`` refuses, each with the first refusal."""
    refused: dict[str, str] = {}
    for guard in spec.guards:
        if guard.judges is None or guard.holds(standing):
            continue
        field = spec.dated_by if guard.judges == "on" else spec.ends_by
        if field is None or field in refused:
            continue
        dates = _dates(standing)
        refused[field] = Refusal(
            guard.refusal.format(**{name: day or "" for name, day in dates.items()}),
            guard.code,
            **dates,
        )
    return refused


def _dates(standing: Standing) -> dict[str, Any]:
    """The standing's dates a refusal may name (ISO dates in the message, dates in params)."""
    return {
        "today": standing.today,
        "floor": standing.floor,
        "posting_starts_on": standing.posting_starts_on,
        "posting_ends_on": standing.posting_ends_on,
        "opinion_on": standing.opinion_on,
        "earliest_until": standing.earliest_until,
        "posting_days": standing.posting_days,
    }


def check_permit(permit: Permit, application: Application, target: str) -> None:
    """Raise unless the permit covers this application, from its status now, to ``target``.

    A batch may list the same household twice or an earlier step may have moved it: the status
    is checked again, so no history row ever records a transition the table does not allow.
    """
    if permit.application_id != application.id:
        raise AssertionError(f"a permit for {permit.application_id} used on {application.id}")
    if application.status not in permit.action.sources:
        raise Conflict(
            f"'{permit.action.name}' is not allowed while the application is "
            f"'{application.status}'",
            allowed=allowed_actions(permit.official, application, permit.standing),
        )
    if not permit.action.leads_to(application.status, target):
        raise AssertionError(f"{permit.action.name} cannot lead to {target}")  # a bug


def check_transition(action: str, status: str, target: str) -> None:
    """Raise Conflict unless the table lets ``action`` take an application from ``status`` to
    ``target`` (the resident's own withdrawal, which has no official to ask about)."""
    spec = ACTIONS.get(action)
    if spec is None or status not in spec.sources:
        raise Conflict(f"'{action}' is not allowed while the application is '{status}'")
    if not spec.leads_to(status, target):
        raise AssertionError(f"{action} cannot lead to {target}")  # a bug, never user input


# ------------------------------------------------------------------------- what guards read


def load_standings(
    session: Session, official: Official, applications: list[Application], context: NodeContext
) -> dict[int, Standing]:
    """Each application's standing, in a few queries for the whole list (never one per row)."""
    ids = sorted({application.id for application in applications})
    if not ids:
        return {}
    if official.level == "province":
        # A node holds one province: all of it is in a provincial official's area.
        in_scope = set(ids)
    else:
        in_scope = set(
            session.scalars(
                select(Application.id).where(Application.id.in_(ids), application_scope(official))
            )
        )
    verified = set(
        session.scalars(
            select(Verification.application_id).where(Verification.application_id.in_(ids))
        )
    )
    open_duplicates: dict[int, int] = {}
    for application_id in session.scalars(
        select(DuplicateFlag.application_id).where(
            DuplicateFlag.application_id.in_(ids), DuplicateFlag.resolution.is_(None)
        )
    ):
        open_duplicates[application_id] = open_duplicates.get(application_id, 0) + 1
    required = context.rules.district_opinion_required
    opinions = _with_opinion(session, ids) if required else set()
    timelines = load_timelines(session, ids)
    by_id = {application.id: application for application in applications}
    return {
        application_id: Standing(
            in_scope=application_id in in_scope,
            kind=by_id[application_id].kind,
            status=by_id[application_id].status,
            verified=application_id in verified,
            open_duplicates=open_duplicates.get(application_id, 0),
            opinion_recorded=application_id in opinions,
            opinion_required=required,
            today=context.today,
            floor=timelines[application_id].floor,
            posting_starts_on=timelines[application_id].posting_starts_on,
            posting_ends_on=timelines[application_id].posting_ends_on,
            opinion_on=timelines[application_id].opinion_on,
        )
        for application_id in ids
    }


def _with_opinion(session: Session, ids: list[int]) -> set[int]:
    return set(
        session.scalars(
            select(DistrictOpinion.application_id).where(DistrictOpinion.application_id.in_(ids))
        )
    )


def actions_for(
    session: Session, official: Official, application: Application, context: NodeContext
) -> list[str]:
    """``allowed_actions`` for one application, its standing loaded."""
    standing = load_standings(session, official, [application], context)[application.id]
    return allowed_actions(official, application, standing)
