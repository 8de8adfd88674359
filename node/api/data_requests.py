"""`/api/v1/data-requests`: the officials' side of the residents' requests about their data —
the open ones of their commune, earliest deadline first, and their answer (issue 18)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from node.auth import official_required, require_official
from node.context import node_context
from node.extensions import db
from node.schemas.data_requests import (
    DataRequestAnswerSchema,
    DataRequestListSchema,
    OpenDataRequestSchema,
)
from node.services import data_requests

blp = Blueprint(
    "data_requests",
    __name__,
    url_prefix="/api/v1",
    description="Residents' requests about their personal data (officials)",
)


def _open_view(request) -> dict:
    return {
        **data_requests.request_view(request),
        "application_id": request.application_id,
        "commune_code": request.commune_code,
    }


@blp.route("/data-requests")
class OpenRequests(MethodView):
    """The requests waiting for an answer."""

    @official_required()
    @blp.response(200, DataRequestListSchema)
    def get(self):
        """Open requests in your commune (the province's for province officials), earliest
        deadline first."""
        found = data_requests.open_requests(db.session, require_official(), node_context())
        body = {"items": [_open_view(request) for request in found]}
        db.session.commit()  # the audit entry for this read
        return body


@blp.route("/data-requests/<int(max=2147483647):request_id>/answer")
class AnswerRequest(MethodView):
    """An official's answer to one request."""

    @official_required()
    @blp.arguments(DataRequestAnswerSchema)
    @blp.response(200, OpenDataRequestSchema)
    @blp.alt_response(409, "CONFLICT", description="already answered")
    def post(self, data, request_id: int):
        """Done, or refused with the reason the resident reads on the status page."""
        request = data_requests.answer_request(
            db.session,
            require_official(),
            request_id,
            data["outcome"],
            data.get("answer"),
            node_context(),
        )
        body = _open_view(request)
        db.session.commit()
        return body
