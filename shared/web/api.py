"""The JSON API under /api/v1 of either app: flask-smorest's Api with the project's error shape,
the bearer scheme, and the health check every app answers."""

from __future__ import annotations

from collections.abc import Iterable

import flask_smorest
import marshmallow as ma
from flask import Flask
from flask.views import MethodView

from shared.web import caching
from shared.web.auth import BEARER_SCHEME
from shared.web.database import database_answers
from shared.web.errors import ErrorSchema

# Seconds a load balancer should wait before asking again after a failure.
HEALTH_RETRY_AFTER_SECONDS = 30


class Api(flask_smorest.Api):
    """flask-smorest's Api, documenting the project's error shape."""

    ERROR_SCHEMA = ErrorSchema


class HealthSchema(ma.Schema):
    """Whether the app and its database answer."""

    status = ma.fields.String(required=True, metadata={"description": "ok or error"})
    db = ma.fields.String(required=True, metadata={"description": "ok or error"})


def health_blueprint() -> flask_smorest.Blueprint:
    """`GET /healthz`, for load balancers and monitoring (a new blueprint for each app)."""
    blp = flask_smorest.Blueprint("health", __name__, description="Liveness and database check")

    @blp.route("/healthz")
    @caching.public
    class Health(MethodView):
        """The health of the app."""

        @blp.response(200, HealthSchema)
        @blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
        def get(self):
            """Whether the app and its database answer."""
            if database_answers():
                return {"status": "ok", "db": "ok"}
            retry = {"Retry-After": str(HEALTH_RETRY_AFTER_SECONDS)}
            return {"status": "error", "db": "error"}, 503, retry

    return blp


def init_api(
    app: Flask, blueprints: Iterable[flask_smorest.Blueprint], *, bearer_description: str
) -> Api:
    """Register the health check and the app's API blueprints, with the OpenAPI document."""
    api = Api(app)
    # The OpenAPI document is the same for everyone.
    caching.declare(app, caching.PUBLIC, ["api-docs.openapi_json"])
    api.spec.components.security_scheme(
        BEARER_SCHEME, {"type": "http", "scheme": "bearer", "description": bearer_description}
    )
    csrf = app.extensions["csrf"]
    for blueprint in (health_blueprint(), *blueprints):
        api.register_blueprint(blueprint)
        # Programs sign with bearer tokens, which no other site can send; a change signed by a
        # web session's cookie gets its CSRF check in SignIn.required instead.
        csrf.exempt(blueprint)
    return api
