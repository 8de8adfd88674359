"""The hub's JSON API under /api/v1, with its OpenAPI document at /api/v1/openapi.json."""

import flask_smorest
from flask import Flask

from hub.api import auth, health, nodes, stats
from hub.api.errors import ErrorSchema
from hub.auth import BEARER_SCHEME
from hub.extensions import csrf


class Api(flask_smorest.Api):
    """flask-smorest's Api, documenting the project's error shape."""

    ERROR_SCHEMA = ErrorSchema


def init_app(app: Flask) -> None:
    """Register the API blueprints and the OpenAPI document."""
    api = Api(app)
    api.spec.components.security_scheme(
        BEARER_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "a central user's token from POST /api/v1/auth/token",
        },
    )
    for blueprint in (health.blp, auth.blp, nodes.blp, stats.blp):
        api.register_blueprint(blueprint)
        # Programs authenticate with bearer tokens, not cookies, so CSRF tokens do not apply.
        csrf.exempt(blueprint)
