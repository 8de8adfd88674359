"""Officials' sign-in: the API's token request and the sign-in page load the same schema."""

from __future__ import annotations

import marshmallow as ma

from node.schemas.base import Strict, String, length


class TokenRequestSchema(Strict):
    """The body of POST /api/v1/auth/token: an official's credentials."""

    username = String(required=True, validate=length(64, 1))
    password = String(required=True, load_only=True, validate=length(1024, 1))
    totp = String(
        load_default=None,
        allow_none=True,
        validate=length(16),
        metadata={"description": "the 6-digit code of the authenticator app, if enabled"},
    )


class SignInFormSchema(TokenRequestSchema):
    """The sign-in page: the credentials, and the page to return to."""

    next = String(load_default=None, allow_none=True, validate=length(2000))


class TotpCodeSchema(Strict):
    """The code that confirms a new authenticator app (the account page)."""

    step = String(load_default="start", validate=ma.validate.OneOf(["start", "confirm"]))
    code = String(load_default="", validate=length(16))


class TokenSchema(ma.Schema):
    """A new bearer token; it is shown this once (the node keeps only its hash)."""

    token = ma.fields.String(required=True)
    expires_at = ma.fields.DateTime(required=True)
    role = ma.fields.String(required=True)
    units = ma.fields.List(ma.fields.String(), required=True)


class OfficialSchema(ma.Schema):
    """The signed-in official: role and the units it applies to."""

    username = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    level = ma.fields.String(
        required=True, metadata={"description": "province, commune or village"}
    )
    units = ma.fields.List(ma.fields.String(), required=True)
