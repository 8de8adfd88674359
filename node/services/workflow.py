"""Who may do what next with an application (DESIGN §2–3, RULES §5): one table, asked everywhere.

    submitted → under_review → meeting_held → posted → decided (recognised | refused)
    submitted, under_review, meeting_held, posted → withdrawn
    meeting_held with < 50% agreement → under_review; a complaint during posting → under_review

Each action in ``ACTIONS`` names the statuses it may start from, where it leads, the roles that
may take it and the guards that must hold (the household verified, the posting over, no
duplicate left open, the district opinion when the node asks one). Services call ``authorize``
before they change anything and get a ``Permit`` that ``node.services.steps.move`` requires;
the file view, the worklist, the officials' pages and the API's 409 body all list
``allowed_actions`` — the same answer, from the same table, never re-derived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import OPEN_STATUSES, STATUSES, Application
from node.models.review import DistrictOpinion, DuplicateFlag, Posting, PostingItem, Verification
from node.services.context import NodeContext
from node.services.errors import Conflict, StaleVersion
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    VILLAGE_HEAD,
    Official,
    application_scope,
    not_in_scope,
    require_role,
)

INITIAL_STATUS = "submitted"
# An application is open while the commune still works on it (OPEN_STATUSES, defined with the
# model: the worklist's indexes hold only those), closed once decided or withdrawn.
CLOSED_STATUSES = ("decided", "withdrawn")
# The database's list of statuses (node.models.applications) is exactly these two.
if set(OPEN_STATUSES) | set(CLOSED_STATUSES) != set(STATUSES):  # pragma: no cover - a typo
    raise RuntimeError("OPEN_STATUSES and CLOSED_STATUSES must partition the statuses")


@dataclass(frozen=True)
class Standing:
    """What the guards read about an application besides its status (``load_standings``)."""

    in_scope: bool
    verified: bool
    open_duplicates: int
    opinion_recorded: bool
    posting_ends_on: date | None
    # The day the action takes effect: today, or the date of the chair's decision.
    on: date
    opinion_required: bool


@dataclass(frozen=True)
class Guard:
    """A condition an action needs beyond its status, and the refusal when it does not hold."""

    code: str
    holds: Callable[[Standing], bool]
    # Formatted with ``application`` (its id) and the standing's fields.
    refusal: str


VERIFIED = Guard(
    "verified", lambda s: s.verified, "Application {application} is not verified and under review."
)
POSTING_OVER = Guard(
    "posting_over",
    lambda s: s.posting_ends_on is None or s.on >= s.posting_ends_on,
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
HAS_OPEN_DUPLICATES = Guard(
    "has_open_duplicates",
    lambda s: s.open_duplicates > 0,
    "Application {application} has no possible duplicate open.",
)


@dataclass(frozen=True)
class Action:
    """An action: the statuses it starts from, where it leads, who may take it, its guards."""

    name: str
    sources: frozenset[str]
    # Empty: the action records something and the status stays as it is.
    targets: frozenset[str]
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()

    def leads_to(self, source: str, target: str) -> bool:
        """Whether taking the action from ``source`` may leave the application in ``target``."""
        return target in self.targets if self.targets else target == source


def _action(
    name: str,
    sources: Iterable[str],
    targets: Iterable[str],
    roles: Iterable[str],
    *guards: Guard,
) -> Action:
    return Action(name, frozenset(sources), frozenset(targets), frozenset(roles), guards)


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
        # At least 50% of the attendees agreeing passes (``meeting_target``); else verify again.
        _action(
            "record_meeting",
            ("under_review",),
            ("meeting_held", "under_review"),
            REVIEWERS,
            VERIFIED,
        ),
        _action("post", ("meeting_held",), ("posted",), OFFICER),
        _action("complaint", ("posted",), ("under_review",), OFFICER),
        _action("district_opinion", ("posted",), STAYS, OFFICER, OPINION_ASKED),
        _action(
            "decide",
            ("posted",),
            ("decided",),
            (COMMUNE_CHAIR,),
            POSTING_OVER,
            NO_OPEN_DUPLICATES,
            OPINION_IF_REQUIRED,
        ),
        # Taken at POST /api/v1/duplicates/<flag>/resolve; "withdrawn" also withdraws.
        _action("resolve_duplicate", OPEN_STATUSES, STAYS, OFFICER, HAS_OPEN_DUPLICATES),
    )
}


def meeting_target(agreeing: int, attendees: int) -> str:
    """Where a village meeting's vote leaves the household: "at least 50%" passes (3 of 6 does,
    2 of 5 does not), anything less sends it back to verification."""
    return "meeting_held" if agreeing * 2 >= attendees else "under_review"


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
) -> Permit:
    """Check everything the table asks before ``action``, in this order: the role (403), the
    official's area (404, as for no record), the version the form was opened at, the status and
    the guards (409, listing what the official may do instead)."""
    spec = ACTIONS[action]
    require_action_role(official, action)
    standing = load_standings(session, official, [application], context)[application.id]
    if not standing.in_scope:
        raise not_in_scope()
    if on is not None:
        standing = replace(standing, on=on)
    if version is not None and version != application.version:
        # A form opened before someone else acted must not overwrite what they did.
        raise StaleVersion(
            "Someone else changed this application since you opened it; reload and try again.",
            allowed=allowed_actions(official, application, standing),
        )
    if application.status not in spec.sources:
        raise Conflict(
            f"'{action}' is not allowed while the application is '{application.status}'",
            allowed=allowed_actions(official, application, standing),
        )
    for guard in spec.guards:
        if not guard.holds(standing):
            posting_ends_on = (
                standing.posting_ends_on.isoformat() if standing.posting_ends_on else ""
            )
            raise Conflict(
                guard.refusal.format(application=application.id, posting_ends_on=posting_ends_on),
                allowed=allowed_actions(official, application, standing),
            )
    return Permit(spec, official, application.id, standing)


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
    posting_ends = _posting_ends(session, ids)
    return {
        application_id: Standing(
            in_scope=application_id in in_scope,
            verified=application_id in verified,
            open_duplicates=open_duplicates.get(application_id, 0),
            opinion_recorded=application_id in opinions,
            posting_ends_on=posting_ends.get(application_id),
            on=context.today,
            opinion_required=required,
        )
        for application_id in ids
    }


def _with_opinion(session: Session, ids: list[int]) -> set[int]:
    return set(
        session.scalars(
            select(DistrictOpinion.application_id).where(DistrictOpinion.application_id.in_(ids))
        )
    )


def _posting_ends(session: Session, ids: list[int]) -> dict[int, date]:
    """When each application's latest public posting ends."""
    ends: dict[int, date] = {}
    # Later postings come last, so an application posted again keeps its latest end.
    for application_id, ends_on in session.execute(
        select(PostingItem.application_id, Posting.ends_on)
        .join(Posting, Posting.id == PostingItem.posting_id)
        .where(PostingItem.application_id.in_(ids))
        .order_by(Posting.id)
    ):
        ends[application_id] = ends_on
    return ends


def actions_for(
    session: Session, official: Official, application: Application, context: NodeContext
) -> list[str]:
    """``allowed_actions`` for one application, its standing loaded."""
    standing = load_standings(session, official, [application], context)[application.id]
    return allowed_actions(official, application, standing)
