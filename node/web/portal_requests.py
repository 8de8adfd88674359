"""The resident's requests about their data on the portal: ``POST /status/request``, from the
status page (issue 18). The form carries the tracking code and its proof in its body, as every
portal form does; the request is recorded as the API's ``…/requests`` records it, and the status
page shows it with its deadline and, once answered, the answer."""

from __future__ import annotations

import marshmallow as ma
from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from node.context import node_context
from node.extensions import db
from node.schemas.data_requests import DataRequestFieldsSchema
from node.services.data_requests import make_request
from node.web.portal import bp, looked_up, render_status

KIND_NAMES = {
    "correction": _l("Correct my data"),
    "consent_withdrawal": _l("Withdraw my consent to the processing of my personal data"),
    "deletion": _l("Delete my data"),
    "restriction": _l("Restrict the processing of my data"),
}
REQUEST_STATUSES = {
    "open": _l("Being handled"),
    "done": _l("Done"),
    "refused": _l("Refused"),
}
HANDLINGS = {
    "processing_stopped": _l("The application was withdrawn: its processing has stopped."),
    "public_duty": _l(
        "The household has been decided: its record is kept for the state's public duty; the "
        "commune answers the request."
    ),
}
FIELDS = ("kind", "what_is_wrong", "should_be", "reason")
CORRECTION_NEEDS = _l("Write what is wrong and what it should be.")


@bp.get("/status/request")
def request_again() -> Response:
    """The form answers a POST; a visit goes to the lookup form."""
    return redirect(url_for("portal.status"), 303)


@bp.post("/status/request")
def make_data_request() -> tuple[str, int]:
    """Record the applicant's request and show the status page with it."""
    application, proof = looked_up(request.form)
    # The right proof's count given back is kept whatever happens to the request.
    db.session.commit()
    given = {name: request.form.get(name, "") for name in FIELDS}
    try:
        data = DataRequestFieldsSchema().load(given)
    except ma.ValidationError as invalid:
        errors = {name: str(CORRECTION_NEEDS) for name in invalid.messages}
        return render_status(
            application, proof, request.form, _("The request was not sent."), 422, errors
        )
    make_request(db.session, application, data, next(iter(proof)), node_context())
    db.session.commit()
    return render_status(
        application,
        proof,
        request.form,
        _("Your request was recorded. The commune answers it by the date shown below."),
    )


@bp.app_template_global()
def data_request_texts() -> dict[str, dict[str, str]]:
    """The words the status page uses for the requests."""
    return {"kinds": KIND_NAMES, "statuses": REQUEST_STATUSES, "handlings": HANDLINGS}
