"""The hub's JSON API under /api/v1, with its OpenAPI document at /api/v1/openapi.json."""

import flask_smorest
from flask import Flask

from hub.api import health
from hub.api.errors import ErrorSchema
from hub.extensions import csrf


class Api(flask_smorest.Api):
    """flask-smorest's Api, documenting the project's error shape."""

    ERROR_SCHEMA = ErrorSchema


def init_app(app: Flask) -> None:
    """Register the API blueprints and the OpenAPI document."""
    api = Api(app)
    for blueprint in (health.blp,):
        api.register_blueprint(blueprint)
        # Programs authenticate with bearer tokens, not cookies, so CSRF tokens do not apply.
        csrf.exempt(blueprint)
