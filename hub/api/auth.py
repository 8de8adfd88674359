"""`/api/v1/auth`: central users get a bearer token and sign out."""

from __future__ import annotations

from hub.auth import signin
from shared.web.auth_api import auth_blueprint

blp = auth_blueprint(signin, description="Central users: sign-in and tokens")
