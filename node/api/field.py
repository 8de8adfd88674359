"""The field app's own routes (issue 15): register, list and revoke devices; download the
official's assigned work. The changes a phone makes go to the review's routes
(node.api.review) with an Idempotency-Key and the device's id."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from node.api.field_sync import HEADERS_DOC, check_device
from node.auth import official_required, require_official
from node.context import node_context
from node.extensions import db
from node.schemas import field as schemas
from node.schemas.facts import MEMBER_QUESTIONS
from node.services import field_work
from node.web.officials_forms import verification_steps
from shared.moments import as_utc

blp = Blueprint(
    "field", __name__, url_prefix="/api/v1", description="Officials: offline field work"
)


def _device(device: Any) -> dict[str, Any]:
    return {
        "id": device.id,
        "user_id": device.user_id,
        "label": device.label,
        # SQLite hands moments back naive; they are UTC.
        "registered_at": as_utc(device.registered_at),
        "last_seen_at": as_utc(device.last_seen_at) if device.last_seen_at else None,
        "revoked_at": as_utc(device.revoked_at) if device.revoked_at else None,
    }


@blp.route("/devices")
class Devices(MethodView):
    """The devices officials work on offline."""

    @official_required()
    @blp.arguments(schemas.DeviceRequestSchema)
    @blp.response(201, schemas.DeviceRegisteredSchema)
    def post(self, data):
        """Register this device (village heads and commune officers); keep its ``public_id``
        and send it as X-Device-Id with every request of the field app."""
        device = field_work.register_device(
            db.session, require_official(), data["label"], node_context()
        )
        body = {**_device(device), "public_id": device.public_id}
        db.session.commit()
        return body

    @official_required()
    @blp.response(200, schemas.DeviceListSchema)
    def get(self):
        """Your devices (an administrator: every official's)."""
        return {
            "items": [_device(d) for d in field_work.devices_for(db.session, require_official())]
        }


@blp.route("/devices/<int(max=2147483647):device_id>/revoke")
class RevokeDevice(MethodView):
    """A lost or handed-on phone."""

    @official_required()
    @blp.response(200, schemas.DeviceSchema)
    def post(self, device_id: int):
        """Revoke the device (its owner or an administrator): its next sync is refused with
        403 device_revoked, and the phone wipes its data."""
        device = field_work.revoke_device(db.session, require_official(), device_id, node_context())
        body = _device(device)
        db.session.commit()
        return body


def asked_questions(period: int) -> dict[str, Any]:
    """What the verification asks for a period: the household steps and member questions."""
    return {
        "household_steps": [
            {"step": step, "paths": list(paths)} for step, paths in verification_steps(period)
        ],
        "member_questions": [question.to_json() for question in MEMBER_QUESTIONS],
    }


@blp.route("/field-work")
class FieldWork(MethodView):
    """The official's work to take offline."""

    @official_required()
    @blp.doc(parameters=HEADERS_DOC[1:])
    @blp.response(200, schemas.FieldWorkSchema)
    def get(self):
        """The households assigned to you to verify (with the declared facts), each village's
        households waiting for its meeting, the posting lists, and the meeting's pass rule."""
        official = require_official()
        context = node_context()
        check_device(official, context)
        work = field_work.assigned_work(db.session, official, context)
        for household in work["households"]:
            household["asked"] = asked_questions(household["period"])
        db.session.commit()
        return work
