"""The building blocks every review step shares: scoped reads, the move, history and audit.

Services of the review (review, decisions, duplicates) ask node.services.workflow.authorize
first and move an application only with the permit it gives, so each step moves it the same
way: the policy's checks, then a history row and an audit entry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationEvent
from node.models.review import Verification
from node.services import audit
from node.services.context import NodeContext
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
from node.services.workflow import Permit, authorize, check_permit

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


def latest_verification(session: Session, application: Application) -> Verification | None:
    """The most recent verification of the application, if any."""
    return session.scalar(
        select(Verification)
        .where(Verification.application_id == application.id)
        .order_by(Verification.id.desc())
        .limit(1)
    )


def move(
    session: Session,
    application: Application,
    permit: Permit,
    target: str,
    context: NodeContext,
    note: str | None = None,
) -> None:
    """Apply a transition the policy permitted, with its history row and audit entry."""
    check_permit(permit, application, target)
    official = permit.official
    action = permit.action.name
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
    *,
    version: int | None = None,
) -> Application:
    """Withdraw on the resident's request (in writing at the commune) or as a duplicate."""
    permit = authorize(session, official, application, "withdraw", context, version=version)
    move(session, application, permit, "withdrawn", context, note=note)
    session.flush()
    return application
