"""`/api/v1/applications` for residents: submit (idempotent), follow, withdraw, their data.

The applicant proves who they are with the phone or ID number given at submission, always in
the body: a query string naming a proof is refused on every route here (node.applicant_access).
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from node.applicant_access import find_for_applicant, proof_in_query
from node.auth import current_official
from node.context import node_context
from node.extensions import db
from node.schemas.applications import (
    ApplicantDataSchema,
    ApplicantProofSchema,
    ApplicationCreatedSchema,
    ApplicationRequestSchema,
    ApplicationStatusSchema,
)
from node.schemas.data_requests import DataRequestBodySchema, DataRequestSchema
from node.services.applications import (
    access_log,
    status_view,
    submit_application,
    withdraw_application,
)
from node.services.context import Actor
from node.services.data_requests import make_request, request_view, requests_of
from node.services.errors import ServiceError
from node.services.my_data import applicant_data
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
        """Submit an application (Mẫu 01 to enter, Mẫu 04 to exit, `average` or `low_income` to
        be identified as a household with an average living standard or as low-income workers)
        with the household's facts."""
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


PROOF_IN_URL = (
    "No proof travels in a URL: send the phone or ID number in the JSON body of "
    "POST /api/v1/applications/<tracking_code>/lookup (or …/withdraw, …/my-data)."
)
# The answers every applicant's request may get besides its own, documented once.
APPLICANT_ERRORS = (
    (400, "BAD_REQUEST", "a proof or tracking code in the query string"),
    (404, "NOT_FOUND", "no application has this code, or the proof is wrong: the same answer"),
    (
        429,
        "TOO_MANY_REQUESTS",
        "5 wrong proofs for this code, or 30 from this address, within 15 minutes: refused, "
        "the right proof too, until the Retry-After seconds have passed",
    ),
)


def applicant_errors(view):
    """Document the errors every applicant's request may meet."""
    for status, response, description in APPLICANT_ERRORS:
        view = blp.alt_response(status, response, description=description)(view)
    return view


@blp.before_request
def refuse_proof_in_url() -> None:
    """A phone, ID number or tracking code in the query string is refused, never read."""
    if proof_in_query():
        raise ServiceError(PROOF_IN_URL, {"query": "no proof in the URL"})


@blp.route("/applications/<tracking_code>")
class ApplicationStatusByQuery(MethodView):
    """The former lookup by query string, refused: a proof in a URL ends up in logs."""

    @blp.alt_response(400, "BAD_REQUEST", description="always: use POST …/lookup")
    @blp.doc(deprecated=True)
    def get(self, tracking_code: str):
        """Refused (400): look up with `POST /api/v1/applications/<tracking_code>/lookup`."""
        raise ServiceError(PROOF_IN_URL, {"query": "no proof in the URL"})


@blp.route("/applications/<tracking_code>/lookup")
class ApplicationLookup(MethodView):
    """An applicant following their application."""

    @blp.arguments(ApplicantProofSchema)
    @blp.response(200, ApplicationStatusSchema)
    @applicant_errors
    def post(self, proof, tracking_code: str):
        """Status, self-assessment, history, the next deadline and who read the file.

        The body carries the phone or the ID number given at submission. A wrong proof and
        an unknown code get the same 404; wrong proofs are counted (DESIGN §5).
        """
        application = find_for_applicant(tracking_code, proof)
        db.session.commit()
        return {
            **status_view(application),
            "access_log": access_log(db.session, application),
            "requests": requests_of(db.session, application),
        }


@blp.route("/applications/<tracking_code>/withdraw")
class ApplicationWithdrawal(MethodView):
    """An applicant withdrawing before the review starts."""

    @blp.arguments(ApplicantProofSchema)
    @blp.response(200, ApplicationStatusSchema)
    @applicant_errors
    @blp.alt_response(409, "CONFLICT", description="the review has started")
    def post(self, proof, tracking_code: str):
        """Withdraw the application while it is still `submitted` (409 afterwards)."""
        application = find_for_applicant(tracking_code, proof)
        withdraw_application(db.session, application, node_context())
        db.session.commit()
        return status_view(application)


@blp.route("/applications/<tracking_code>/my-data")
class ApplicantData(MethodView):
    """Everything the node holds about the people of an application, for the applicant."""

    @blp.arguments(ApplicantProofSchema)
    @blp.response(200, ApplicantDataSchema)
    @applicant_errors
    def post(self, proof, tracking_code: str):
        """The applicant, the household's facts as declared and as verified, the household's
        record and members once decided, the consent, the history and who read the file.

        Same proof, and same limits, as `…/lookup`.
        """
        application = find_for_applicant(tracking_code, proof)
        db.session.commit()
        return applicant_data(db.session, application)


@blp.route("/applications/<tracking_code>/requests")
class ApplicantDataRequest(MethodView):
    """A request about the applicant's personal data: correction, consent withdrawal,
    deletion or restriction."""

    @blp.arguments(DataRequestBodySchema)
    @blp.response(201, DataRequestSchema)
    @applicant_errors
    def post(self, body, tracking_code: str):
        """Record the request with the lookup's proof (same limits), on the commune's list with
        its legal deadline; withdrawing consent stops an open application at once. The answer
        shows in `…/lookup` and `…/my-data` under `requests`."""
        proof = {name: body.pop(name) for name in ("phone", "citizen_id") if body.get(name)}
        application = find_for_applicant(tracking_code, proof)
        # The right proof's count is given back even if the request is refused below.
        db.session.commit()
        made = make_request(db.session, application, body, next(iter(proof)), node_context())
        answer = request_view(made)
        db.session.commit()
        return answer
