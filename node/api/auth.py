"""`/api/v1/auth`: officials get a bearer token, see who they are signed in as, sign out."""

from __future__ import annotations

from flask.views import MethodView

from node.auth import official_required, require_official, signin
from node.models.users import User
from node.schemas.auth import OfficialSchema, OfficialTokenSchema
from shared.web.auth_api import auth_blueprint


def _units(user: User) -> dict[str, list[str]]:
    return {"units": sorted(user.unit_codes)}


blp = auth_blueprint(
    signin,
    description="Officials: sign-in and tokens",
    token_schema=OfficialTokenSchema,
    token_extras=_units,
)


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
