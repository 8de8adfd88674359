"""The administrator's list of the officials' field devices (issue 15): who registered which
phone, when it was last seen, and a button to revoke a lost or handed-on one. A revoked phone's
next sync is refused and the phone deletes what it keeps."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from node.context import node_context
from node.extensions import db
from node.models import User
from node.services import field_work
from node.web.admin import bp
from node.web.officials import commit, official


@bp.get("/devices")
def devices() -> str:
    """Every official's registered devices, newest first."""
    found = field_work.devices_for(db.session, official())
    names = dict(
        db.session.execute(
            select(User.id, User.username).where(User.id.in_({d.user_id for d in found}))
        ).all()
    )
    return render_template("admin/devices.html", devices=list(reversed(found)), names=names)


@bp.post("/devices/<int:device_id>/revoke")
def revoke_device(device_id: int) -> Any:
    """Revoke one device."""
    field_work.revoke_device(db.session, official(), device_id, node_context())
    commit()
    flash(_("The device was revoked: its next sync is refused and its data deleted."), "success")
    return redirect(url_for("admin.devices"), 303)
