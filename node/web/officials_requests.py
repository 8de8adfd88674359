"""The officials' page of the residents' requests about their data (issue 18): the open ones of
the commune, earliest deadline first, each with its answer form (done, or refused with the
reason the resident reads on the status page). Added to the officials' blueprint on import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from node.auth import signed_in
from node.context import node_context
from node.extensions import db
from node.services import data_requests
from node.services.errors import Conflict, ValidationFailed
from node.web.officials import bp, official
from node.web.portal_requests import HANDLINGS, KIND_NAMES
from shared.moments import as_utc


@bp.get("/data-requests")
@signed_in()
def data_requests_page() -> str:
    """The open requests, each with what the resident asked and the deadline."""
    signer = official()
    context = node_context()
    found = data_requests.open_requests(db.session, signer, context)
    page = render_template(
        "officials/data_requests.html",
        requests=found,
        kinds=KIND_NAMES,
        handlings=HANDLINGS,
        overdue={item.id for item in found if as_utc(item.due_at) < context.now},
        answers=signer.role in data_requests.ANSWERERS,
    )
    db.session.commit()  # the audit entry for this read
    return page


@bp.post("/data-requests/<int(max=2147483647):request_id>/answer")
@signed_in()
def answer_data_request(request_id: int) -> Response:
    """Record the official's answer; the list again with what happened."""
    try:
        data_requests.answer_request(
            db.session,
            official(),
            request_id,
            request.form.get("outcome", ""),
            request.form.get("answer"),
            node_context(),
        )
    except ValidationFailed:
        db.session.rollback()
        flash(_("Choose done or refused; a refusal needs the reason the resident will read."),
              "warning")  # fmt: skip
    except Conflict as refused:
        db.session.rollback()
        if refused.allowed:
            flash(_("The household is recognised: its record is kept for the public duty. "
                    "Refuse the request with that reason."), "warning")  # fmt: skip
        else:
            flash(_("This request has already been answered."), "warning")
    else:
        db.session.commit()
        flash(_("The answer was recorded; the resident sees it on the status page."), "success")
    return redirect(url_for("officials.data_requests_page"), 303)


@bp.app_template_global()
def open_data_requests() -> int:
    """How many requests wait in the signed-in official's commune (for the navigation)."""
    signer = official()
    return data_requests.open_count(db.session, signer)
