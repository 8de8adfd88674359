"""Field work without signal (issue 15): the officials' devices, the work a phone downloads, and
the idempotency keys that make a phone's queued changes count once however often they are sent.

The rules stay where they are: a queued verification or meeting goes through the same actions
(node.services.actions) with the version the phone saw; this module only says who may sync from
which device, what the phone takes away, and what a retried request already did.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import MEETING_KINDS, Application, IdempotencyKey
from node.models.devices import Device
from node.models.units import Village
from node.services import audit
from node.services.context import NodeContext
from node.services.errors import IdempotencyKeyReused, NotFound, ValidationFailed
from node.services.identity import normalize_text
from node.services.scopes import (
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    VILLAGE_HEAD,
    Official,
    application_scope,
)
from node.services.steps import latest_verification
from node.services.tracking import display_tracking_code
from shared.errors import ServiceError, require_role

# Who works in the field: the village head and the commune officer (the verifying roles).
FIELD_ROLES = (VILLAGE_HEAD, COMMUNE_OFFICER)
LABEL_MAX = 80
# A phone takes at most this many households of each kind (a commune's year is far fewer).
WORK_LIMIT = 500


class DeviceRevoked(ServiceError):
    """The device was revoked (or is unknown, or someone else's): nothing is synced, and the
    phone wipes what it holds."""

    status = 403
    code = "device_revoked"


class DeviceOfAnother(ServiceError):
    """The device belongs to another official: refused, its data kept for its owner."""

    status = 403
    code = "device_of_another_official"


def register_device(
    session: Session, official: Official, label: Any, context: NodeContext
) -> Device:
    """A new device of the official's, with a random public id the phone keeps."""
    require_role(official, *FIELD_ROLES)
    text = normalize_text(label) if isinstance(label, str) else None
    if not text or len(text) > LABEL_MAX:
        raise ValidationFailed(
            "Name the device.", {"label": f"1 to {LABEL_MAX} characters of text"}
        )
    device = Device(
        public_id=secrets.token_hex(16),
        user_id=official.user_id,
        label=text,
        registered_at=context.now,
    )
    session.add(device)
    session.flush()
    audit.record(session, official, "register_device", "device", device.id, context.now)
    return device


def devices_for(session: Session, official: Official) -> list[Device]:
    """The devices an official may see: an administrator every one, others their own."""
    query = select(Device).order_by(Device.id)
    if official.role != PROVINCE_ADMIN:
        query = query.where(Device.user_id == official.user_id)
    return list(session.scalars(query))


def revoke_device(
    session: Session, official: Official, device_id: int, context: NodeContext
) -> Device:
    """Revoke a device (its owner, or an administrator for a lost phone); revoking twice keeps
    the first moment."""
    device = session.get(Device, device_id)
    if device is None or (official.role != PROVINCE_ADMIN and device.user_id != official.user_id):
        raise NotFound("No such device.")
    if device.revoked_at is None:
        device.revoked_at = context.now
        device.revoked_by = official.user_id
        session.flush()
        audit.record(session, official, "revoke_device", "device", device.id, context.now)
    return device


def check_device(
    session: Session, official: Official, public_id: str | None, context: NodeContext
) -> Device:
    """The official's own, unrevoked device with this public id; DeviceRevoked (revoked or
    unknown) or DeviceOfAnother otherwise."""
    device = (
        session.scalar(select(Device).where(Device.public_id == public_id))
        if isinstance(public_id, str) and len(public_id) == 32
        else None
    )
    if device is None or device.revoked_at is not None:
        raise DeviceRevoked("This device may not sync: it was revoked or is not registered.")
    if device.user_id != official.user_id:
        # Another official signed in on a phone that still holds someone's work: refused, but
        # that work is not wiped (its owner may still send it).
        raise DeviceOfAnother("This device is registered to another official.")
    device.last_seen_at = context.now
    return device


# ------------------------------------------------------------------------------ the work


def _villages(session: Session, applications: Iterable[Application]) -> dict[int, Village]:
    ids = {a.village_id for a in applications if a.village_id is not None}
    if not ids:
        return {}
    return {v.id: v for v in session.scalars(select(Village).where(Village.id.in_(ids)))}


def _household(session: Session, application: Application, village: Village | None) -> dict:
    verification = latest_verification(session, application)
    return {
        "id": application.id,
        "version": application.version,
        # As printed on the receipt the resident shows (NMX3-9RB7-98).
        "tracking_code": display_tracking_code(application.tracking_code),
        "kind": application.kind,
        "period": application.period,
        "status": application.status,
        "village_code": village.code if village else None,
        "village_name": village.name if village else None,
        "applicant_name": application.applicant_name,
        "applicant_citizen_id": application.applicant_citizen_id,
        "declared_facts": application.declared_facts,
        "self_assessment": application.self_assessment,
        "verification": {
            "facts": verification.facts,
            "identities": verification.identities,
            "address": verification.head_address,
            "assessment": verification.assessment,
        }
        if verification
        else None,
    }


def _open_in_scope(session: Session, official: Official, status: str) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(application_scope(official), Application.status == status)
            .order_by(Application.id)
            .limit(WORK_LIMIT)
        )
    )


def assigned_work(session: Session, official: Official, context: NodeContext) -> dict[str, Any]:
    """What a phone takes to the field: the households assigned to the official to verify
    (declared facts included), each village's households waiting for its meeting, and the lists
    to post. Reading it is an audited read of personal data."""
    require_role(official, *FIELD_ROLES)
    reviewing = _open_in_scope(session, official, "under_review")
    posting = [
        *_open_in_scope(session, official, "meeting_held"),
        *_open_in_scope(session, official, "posted"),
    ]
    villages = _villages(session, [*reviewing, *posting])
    mine = [a for a in reviewing if a.assigned_to_id == official.user_id]
    households = [_household(session, a, villages.get(a.village_id)) for a in mine]
    audit.record(session, official, "download_field_work", "application", None, context.now,
                 details={"count": len(mine)})  # fmt: skip
    return {
        "official": {
            "user_id": official.user_id,
            "username": official.username,
            "role": official.role,
        },
        "today": context.today,
        # The node's own threshold (procedure data, MEETING_AGREEMENT_PERCENT), as the server
        # applies it in meeting_target: the phone checks a vote offline with the same numbers.
        "meeting_rule": {
            "numerator": context.rules.meeting_agreement_percent,
            "denominator": 100,
        },
        "households": households,
        # A confirmation (average living standard, low-income workers) has no village meeting.
        "meetings": _by_village(
            [a for a in reviewing if a.kind in MEETING_KINDS], villages, _meeting_item(session)
        ),
        "postings": _by_village(posting, villages, _posting_item),
    }


def _meeting_item(session: Session):
    def item(application: Application) -> dict[str, Any]:
        verification = latest_verification(session, application)
        return {
            "id": application.id,
            "version": application.version,
            "applicant_name": application.applicant_name,
            "verified": verification is not None,
            "classification": verification.classification if verification else None,
        }

    return item


def _posting_item(application: Application) -> dict[str, Any]:
    return {
        "id": application.id,
        "tracking_code": display_tracking_code(application.tracking_code),
        "applicant_name": application.applicant_name,
        "status": application.status,
    }


def _by_village(
    applications: list[Application], villages: dict[int, Village], item
) -> list[dict[str, Any]]:
    """The applications grouped by village (those without one under their commune)."""
    groups: dict[str, dict[str, Any]] = {}
    for application in applications:
        village = villages.get(application.village_id)
        key = village.code if village else application.commune_code
        group = groups.setdefault(key, {
            "village_code": village.code if village else None,
            "village_name": village.name if village else None,
            "commune_code": application.commune_code,
            "households": [],
        })  # fmt: skip
        group["households"].append(item(application))
    return list(groups.values())


# ----------------------------------------------------------------------- idempotency keys


def request_fingerprint(action: str, target: int | None, body: Any) -> str:
    """What makes two requests the same: the action, its target and its body."""
    text = json.dumps([action, target, body], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _scope(official: Official) -> str:
    # Per official: two officials' phones may well draw the same random key.
    return f"official:{official.user_id}"


def replayed(
    session: Session, official: Official, key: str, fingerprint: str
) -> IdempotencyKey | None:
    """What an earlier request with this key did, if there was one; the same key with another
    request is refused (422)."""
    stored = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.scope == _scope(official), IdempotencyKey.key == key
        )
    )
    if stored is not None and stored.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request.",
            {"Idempotency-Key": "already used for a different request"},
        )
    return stored


def remember(
    session: Session,
    official: Official,
    key: str,
    fingerprint: str,
    answer: dict[str, Any],
    context: NodeContext,
    application_id: int | None = None,
) -> None:
    """Keep what a request did (ids only, never personal data) for its retries."""
    session.add(
        IdempotencyKey(
            scope=_scope(official),
            key=key,
            request_hash=fingerprint,
            application_id=application_id,
            response_status=200,
            response_body=answer,
            created_at=context.now,
        )
    )
    session.flush()
