"""Officials' sign-in: the sign-in page loads the API's token request (shared.web.auth_api)."""

from __future__ import annotations

import marshmallow as ma

from shared.web.auth_api import TokenRequestSchema, TokenSchema
from shared.web.fields import Strict, String, length


class SignInFormSchema(TokenRequestSchema):
    """The sign-in page: the credentials, and the page to return to."""

    next = String(load_default=None, allow_none=True, validate=length(2000))


class TotpCodeSchema(Strict):
    """The code that confirms a new authenticator app (the account page)."""

    step = String(load_default="start", validate=ma.validate.OneOf(["start", "confirm"]))
    code = String(load_default="", validate=length(16))
    # Replacing an enabled second factor: its current code, or the password.
    proof = String(load_default=None, allow_none=True, validate=length(1024))


class OfficialTokenSchema(TokenSchema):
    """A new bearer token, and the units the official works in."""

    units = ma.fields.List(ma.fields.String(), required=True)


class OfficialSchema(ma.Schema):
    """The signed-in official: role and the units it applies to."""

    username = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    level = ma.fields.String(
        required=True, metadata={"description": "province, commune or village"}
    )
    units = ma.fields.List(ma.fields.String(), required=True)
