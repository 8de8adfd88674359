"""`/api/v1/auth`: central users get a bearer token and sign out."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.api.errors import service_error_response
from hub.api.schemas import TokenRequestSchema, TokenSchema
from hub.auth import bearer_challenge, log_out, user_required
from hub.context import now
from hub.extensions import db
from hub.services import accounts

blp = Blueprint(
    "auth", __name__, url_prefix="/api/v1/auth", description="Central users: sign-in and tokens"
)


@blp.errorhandler(accounts.AuthenticationFailed)
def refused(error: accounts.AuthenticationFailed) -> Response:
    """A refused sign-in: the usual JSON error, with the challenge a 401 must carry."""
    response = service_error_response(error)
    response.headers["WWW-Authenticate"] = bearer_challenge()
    return response


@blp.route("/token")
class Token(MethodView):
    """Signing in."""

    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, credentials):
        """Sign in with username and password: get a bearer token for 12 hours.

        Send it as `Authorization: Bearer <token>`. Every refusal is a 401
        `invalid_credentials`: unknown user, wrong password, disabled account, or locked for 15
        minutes after 5 failures in a row — which one is not told.
        """
        moment = now()
        try:
            user = accounts.authenticate(db.session, **credentials, now=moment)
        except accounts.AuthenticationFailed:
            # The failure count and any lock must stick although the answer is an error.
            db.session.commit()
            raise
        token = accounts.open_session(db.session, user, accounts.API, now=moment)
        body = {
            "token": token,
            "expires_at": moment + accounts.API_TOKEN_MAX_AGE,
            "role": user.role,
        }
        db.session.commit()
        return body, 200, {"Cache-Control": "no-store"}


@blp.route("/logout")
class Logout(MethodView):
    """Signing out."""

    @user_required()
    @blp.response(204)
    def post(self):
        """Revoke the bearer token this request is signed with."""
        log_out()
        db.session.commit()
