"""`/api/v1/auth`: officials get a bearer token, see who they are signed in as, sign out."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from node.api.errors import service_error_response
from node.api.schemas import OfficialSchema, TokenRequestSchema, TokenSchema
from node.auth import bearer_challenge, log_out, official_required, require_official
from node.context import now
from node.extensions import db
from node.services import accounts

blp = Blueprint(
    "auth", __name__, url_prefix="/api/v1/auth", description="Officials: sign-in and tokens"
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
        """Sign in with username, password and, if enabled, a TOTP code: get a bearer token.

        The token lasts 12 hours; send it as `Authorization: Bearer <token>`. Every refusal is a
        401. `invalid_credentials`: the username is unknown, the password or code is wrong, the
        account is disabled, or it is locked for 15 minutes after 5 failures in a row — which
        one is not told, so the answer reveals neither usernames nor passwords (a 423 for locked
        accounts would confirm that the username exists). `totp_required`: the password was
        right and the account needs a code; send the request again with `totp`.
        """
        moment = now()
        try:
            user = accounts.authenticate(db.session, **credentials, now=moment)
        except accounts.AuthenticationFailed:
            # The failure count and any lock must stick although the answer is an error.
            db.session.commit()
            raise
        token = accounts.open_session(db.session, user, accounts.API, now=moment)
        record = accounts.find_session(db.session, token)
        body = {
            "token": token,
            "expires_at": accounts.as_utc(record.expires_at),
            "role": user.role,
            "units": sorted(user.unit_codes),
        }
        db.session.commit()
        # A token must not sit in a cache (RFC 6749 §5.1).
        return body, 200, {"Cache-Control": "no-store"}


@blp.route("/logout")
class Logout(MethodView):
    """Signing out."""

    @official_required()
    @blp.response(204)
    def post(self):
        """Revoke the bearer token (or web session) this request is signed with."""
        log_out()
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    """The signed-in official."""

    @official_required()
    @blp.response(200, OfficialSchema)
    def get(self):
        """Who the token (or web session) belongs to: username, role, level and units."""
        official = require_official()
        return {
            "username": official.username,
            "role": official.role,
            "level": official.level,
            "units": sorted(official.unit_codes),
        }
