"""The hub's JSON API under /api/v1, with its OpenAPI document at /api/v1/openapi.json."""

from flask import Flask

from hub.api import auth, nodes, public, stats
from shared.web.api import init_api


def init_app(app: Flask) -> None:
    """Register the API blueprints and the OpenAPI document."""
    init_api(
        app,
        (auth.blp, nodes.blp, stats.blp, public.blp),
        bearer_description="a central user's token from POST /api/v1/auth/token",
    )
