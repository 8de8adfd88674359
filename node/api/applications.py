"""`/api/v1/applications` for residents: submit (idempotent), follow, withdraw."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from node.auth import current_official
from node.context import node_context
from node.extensions import db
from node.schemas.applications import (
    ApplicantProofSchema,
    ApplicationCreatedSchema,
    ApplicationRequestSchema,
    ApplicationStatusSchema,
)
from node.services.applications import (
    access_log,
    find_application,
    status_view,
    submit_application,
    withdraw_application,
)
from node.services.context import Actor
from node.services.errors import ServiceError
from node.services.scopes import COMMUNE_OFFICER, require_role

blp = Blueprint(
    "applications", __name__, url_prefix="/api/v1", description="Applications (Mẫu 01, Mẫu 04)"
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_LENGTH = (8, 100)


def idempotency_key() -> str:
    """The request's Idempotency-Key header; a 400 when it is missing or malformed."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    low, high = IDEMPOTENCY_KEY_LENGTH
    if not key:
        raise ServiceError(
            "The Idempotency-Key header is required.", {IDEMPOTENCY_HEADER: "required"}
        )
    if not low <= len(key) <= high or not key.isascii() or not key.isprintable():
        raise ServiceError(
            "The Idempotency-Key header is malformed.",
            {IDEMPOTENCY_HEADER: f"{low} to {high} printable ASCII characters"},
        )
    return key


@blp.route("/applications")
class Applications(MethodView):
    """Submitting applications."""

    @blp.arguments(ApplicationRequestSchema)
    @blp.response(201, ApplicationCreatedSchema)
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": IDEMPOTENCY_HEADER,
                "required": True,
                "schema": {"type": "string", "minLength": 8, "maxLength": 100},
                "description": "a random key per submission; a retry with it never creates "
                "a second application and gets the first answer again",
            }
        ]
    )
    def post(self, data):
        """Submit an application (Mẫu 01 to enter, Mẫu 04 to exit) with the household's facts."""
        key = idempotency_key()
        official = current_official()
        if official is None:
            submission = submit_application(db.session, data, key, node_context())
        else:
            # An official filing a paper form on the resident's behalf (proxy filing).
            require_role(official, COMMUNE_OFFICER)
            submission = submit_application(
                db.session,
                data,
                key,
                node_context(),
                channel="paper",
                actor=Actor(official.role, official.user_id),
            )
        db.session.commit()
        headers = {"Idempotent-Replayed": "true"} if submission.replayed else {}
        return submission.body, submission.status_code, headers


@blp.route("/applications/<tracking_code>")
class ApplicationStatus(MethodView):
    """An applicant following their application."""

    @blp.arguments(ApplicantProofSchema, location="query")
    @blp.response(200, ApplicationStatusSchema)
    def get(self, proof, tracking_code: str):
        """Status, self-assessment and history; needs the phone or ID number given at submission."""
        application = find_application(db.session, tracking_code, **proof)
        return {**status_view(application), "access_log": access_log(db.session, application)}


@blp.route("/applications/<tracking_code>/withdraw")
class ApplicationWithdrawal(MethodView):
    """An applicant withdrawing before the review starts."""

    @blp.arguments(ApplicantProofSchema)
    @blp.response(200, ApplicationStatusSchema)
    def post(self, proof, tracking_code: str):
        """Withdraw the application while it is still `submitted` (409 afterwards)."""
        application = find_application(db.session, tracking_code, **proof)
        withdraw_application(db.session, application, node_context())
        db.session.commit()
        return status_view(application)
