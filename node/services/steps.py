"""The building blocks every review step shares: scope, versions, transitions, history.

Services of the review (review, decisions, duplicates) call these, so each step moves an
application the same way: the official's scope first, then the state machine, then a history
row and an audit entry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationEvent
from node.models.review import Verification
from node.services import audit
from node.services.context import NodeContext
from node.services.errors import Conflict
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    PROVINCE_OFFICER,
    VILLAGE_HEAD,
    Official,
    application_scope,
    not_in_scope,
    require_role,
)
from node.services.workflow import allowed_actions, check_transition

READERS = (VILLAGE_HEAD, COMMUNE_OFFICER, COMMUNE_CHAIR, PROVINCE_OFFICER, PROVINCE_ADMIN)


def scoped_application(session: Session, official: Official, application_id: int) -> Application:
    """The application if it is in the official's scope; otherwise NotFound, never a hint."""
    require_role(official, *READERS)
    application = session.scalar(
        select(Application).where(Application.id == application_id, application_scope(official))
    )
    if application is None:
        raise not_in_scope()
    return application


def ensure_in_scope(session: Session, official: Official, application: Application) -> None:
    """Raise NotFound unless the application is in the official's scope.

    Every change checks this itself, whatever the caller did before: a view that forgot to
    scope its lookup still cannot act outside the official's area.
    """
    inside = session.scalar(
        select(Application.id).where(Application.id == application.id, application_scope(official))
    )
    if inside is None:
        raise not_in_scope()


def latest_verification(session: Session, application: Application) -> Verification | None:
    """The most recent verification of the application, if any."""
    return session.scalar(
        select(Verification)
        .where(Verification.application_id == application.id)
        .order_by(Verification.id.desc())
        .limit(1)
    )


def check_version(application: Application, expected: int | None) -> None:
    # A form opened before someone else acted must not overwrite what they did.
    if expected is not None and expected != application.version:
        raise Conflict(
            "Someone else changed this application since you opened it; reload and try again.",
            allowed=allowed_actions(application.status),
        )


def move(
    session: Session,
    application: Application,
    official: Official,
    action: str,
    target: str,
    context: NodeContext,
    note: str | None = None,
) -> None:
    """Apply a transition the state machine allows, with its history row and audit entry."""
    ensure_in_scope(session, official, application)
    check_transition(action, application.status, target)
    application.events.append(
        ApplicationEvent(
            at=context.now,
            action=action,
            from_status=application.status,
            to_status=target,
            actor_role=official.role,
            actor_id=official.user_id,
            note=note,
        )
    )
    audit.record(
        session,
        official,
        action,
        "application",
        application.id,
        context.now,
        application_id=application.id,
        household_id=application.household_id,
        details={"from": application.status, "to": target},
    )
    application.status = target
    application.updated_at = context.now


def withdraw_by_official(
    session: Session,
    official: Official,
    application: Application,
    context: NodeContext,
    note: str | None = None,
) -> Application:
    """Withdraw on the resident's request (in writing at the commune) or as a duplicate."""
    require_role(official, COMMUNE_OFFICER)
    move(session, application, official, "withdraw", "withdrawn", context, note=note)
    session.flush()
    return application
