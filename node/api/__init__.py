"""The node's JSON API under /api/v1, with its OpenAPI document at /api/v1/openapi.json."""

import flask_smorest
from flask import Flask

from node.api import applications, health, standards, units
from node.api.errors import ErrorSchema
from node.extensions import csrf


class Api(flask_smorest.Api):
    """flask-smorest's Api, documenting the project's error shape."""

    ERROR_SCHEMA = ErrorSchema


def init_app(app: Flask) -> None:
    """Register the API blueprints and the OpenAPI document."""
    api = Api(app)
    for blueprint in (health.blp, units.blp, standards.blp, applications.blp):
        api.register_blueprint(blueprint)
        # Programs authenticate with bearer tokens, not cookies, so CSRF tokens do not apply.
        csrf.exempt(blueprint)
