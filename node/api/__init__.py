"""The node's JSON API under /api/v1, with its OpenAPI document at /api/v1/openapi.json."""

import flask_smorest
from flask import Flask

from node.api import aggregates, applications, auth, health, reports, review, standards, units
from node.api.errors import ErrorSchema
from node.auth import BEARER_SCHEME
from node.extensions import csrf


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
            "description": "an official's token from POST /api/v1/auth/token",
        },
    )
    blueprints = (
        health.blp,
        units.blp,
        standards.blp,
        applications.blp,
        review.blp,
        auth.blp,
        aggregates.blp,
        reports.blp,
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
        # Programs sign with bearer tokens, which no other site can send; a change signed by a
        # web session's cookie gets its CSRF check in node.auth.official_required instead.
        csrf.exempt(blueprint)
