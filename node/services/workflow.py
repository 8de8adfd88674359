"""The application state machine (DESIGN §3): one table of the allowed transitions.

    submitted → under_review → meeting_held → posted → decided (recognised | refused)
    submitted, under_review, meeting_held, posted → withdrawn
    meeting_held with < 50% agreement → under_review; a complaint during posting → under_review

Every service that changes an application's status asks this table first, so no path can skip a
step; an action not allowed from the current status is a 409 listing the allowed ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.services.errors import Conflict


@dataclass(frozen=True)
class Transition:
    """An action, the statuses it may start from, and the statuses it may lead to."""

    action: str
    sources: frozenset[str]
    targets: frozenset[str]


def _t(action: str, sources: tuple[str, ...], *targets: str) -> Transition:
    return Transition(action, frozenset(sources), frozenset(targets))


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # Residents withdraw on their own only before the review starts (services.applications);
        # later the commune withdraws on their written request, or closes a duplicate.
        _t("withdraw", ("submitted", "under_review", "meeting_held", "posted"), "withdrawn"),
        _t("start_review", ("submitted",), "under_review"),
        _t("verify", ("under_review",), "under_review"),
        _t("record_meeting", ("under_review",), "meeting_held", "under_review"),
        _t("post", ("meeting_held",), "posted"),
        _t("complaint", ("posted",), "under_review"),
        _t("decide", ("posted",), "decided"),
    )
}
INITIAL_STATUS = "submitted"


def allowed_actions(status: str) -> list[str]:
    """The actions allowed from ``status``, in the table's order."""
    return [t.action for t in TRANSITIONS.values() if status in t.sources]


def check_transition(action: str, status: str, target: str) -> None:
    """Raise Conflict unless ``action`` may take an application from ``status`` to ``target``."""
    transition = TRANSITIONS.get(action)
    if transition is None or status not in transition.sources:
        raise Conflict(
            f"'{action}' is not allowed while the application is '{status}'",
            allowed=allowed_actions(status),
        )
    if target not in transition.targets:
        raise AssertionError(f"{action} cannot lead to {target}")  # a bug, never user input
