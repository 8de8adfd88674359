"""`/api/v1/auth` of either app: sign in for a bearer token, sign out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.moments import as_utc
from shared.web import accounts
from shared.web.auth import SignIn, bearer_challenge
from shared.web.clock import now
from shared.web.database import app_db
from shared.web.errors import service_error_response
from shared.web.fields import Strict, String, length


class TokenRequestSchema(Strict):
    """The body of POST /api/v1/auth/token: a user's credentials (the sign-in pages load it
    too)."""

    username = String(required=True, validate=length(accounts.USERNAME_MAX_LENGTH, 1))
    password = String(
        required=True, load_only=True, validate=length(accounts.PASSWORD_MAX_LENGTH, 1)
    )
    totp = String(
        load_default=None,
        allow_none=True,
        validate=length(16),
        metadata={"description": "the 6-digit code of the authenticator app, if enabled"},
    )


class TokenSchema(ma.Schema):
    """A new bearer token; it is shown this once (the server keeps only its hash)."""

    token = ma.fields.String(required=True)
    expires_at = ma.fields.DateTime(required=True)
    role = ma.fields.String(required=True)


def auth_blueprint(
    signin: SignIn,
    *,
    description: str,
    token_schema: type[ma.Schema] = TokenSchema,
    token_extras: Callable[[Any], dict[str, Any]] = lambda user: {},
) -> Blueprint:
    """The sign-in endpoints; ``token_extras`` adds an app's own fields to the token answer."""
    blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description=description)

    @blp.errorhandler(accounts.AuthenticationFailed)
    def refused(error: accounts.AuthenticationFailed) -> Response:
        """A refused sign-in: the usual JSON error, with the challenge a 401 must carry."""
        response = service_error_response(error)
        response.headers["WWW-Authenticate"] = bearer_challenge(signin.realm)
        return response

    @blp.route("/token")
    class Token(MethodView):
        """Signing in."""

        @blp.arguments(TokenRequestSchema)
        @blp.response(200, token_schema)
        @blp.alt_response(401, response="UNAUTHORIZED")
        def post(self, credentials):
            """Sign in with username, password and, if enabled, a TOTP code: get a bearer token.

            The token lasts 12 hours; send it as `Authorization: Bearer <token>`. Every refusal
            is a 401. `invalid_credentials`: the username is unknown, the password or code is
            wrong, the account is disabled, or it is locked for 15 minutes after 5 failures in
            a row — which one is not told, so the answer reveals neither usernames nor
            passwords (a 423 for locked accounts would confirm that the username exists).
            `totp_required`: the password was right and the account needs a code; send the
            request again with `totp`.
            """
            return issue_token(signin, credentials, token_extras)

    @blp.route("/logout")
    class Logout(MethodView):
        """Signing out."""

        @signin.required()
        @blp.response(204)
        def post(self):
            """Revoke the bearer token (or web session) this request is signed with."""
            signin.log_out()
            app_db().session.commit()

    return blp


def issue_token(
    signin: SignIn, credentials: dict[str, Any], token_extras: Callable[[Any], dict[str, Any]]
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Authenticate and open an API session: the token answer, uncacheable."""
    moment = now()
    db_session = app_db().session
    try:
        user = signin.store.authenticate(db_session, **credentials, now=moment)
    except accounts.AuthenticationFailed:
        # The failure count and any lock must stick although the answer is an error.
        db_session.commit()
        raise
    token = signin.store.open_session(db_session, user, accounts.API, now=moment)
    body = {
        "token": token,
        "expires_at": as_utc(moment) + accounts.API_TOKEN_MAX_AGE,
        "role": user.role,
        **token_extras(user),
    }
    db_session.commit()
    # A token must not sit in a cache (RFC 6749 §5.1).
    return body, 200, {"Cache-Control": "no-store"}
