"""Errors for both apps: one JSON shape, `{"error": {"code", "message", "fields"}}`, for every
program, and a page in the visitor's language for people."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable, default_exceptions

from shared.errors import ServiceError
from shared.web.database import app_db

logger = logging.getLogger(__name__)

API_PATH_PREFIX = "/api/"
# How long a client is told to wait when the database does not answer (a restart, a failover).
DATABASE_RETRY_AFTER_SECONDS = 10

ErrorPage = Callable[[HTTPException], Any]


class ErrorDetailSchema(ma.Schema):
    """What went wrong."""

    code = ma.fields.String(metadata={"description": "machine-readable, e.g. not_found"})
    message = ma.fields.String(metadata={"description": "human-readable"})
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={"description": "bad input: field path (e.g. members.1.birth_date) → message"},
    )


class ErrorSchema(ma.Schema):
    """The body of every JSON error response."""

    error = ma.fields.Nested(ErrorDetailSchema)


def wants_json() -> bool:
    """Whether this request gets a JSON error: under /api/, or for a client not asking for HTML."""
    if request.path.startswith(API_PATH_PREFIX):
        return True
    return request.accept_mimetypes.best_match(("application/json", "text/html")) != "text/html"


def error_code(error: HTTPException) -> str:
    """The machine-readable code of an HTTP error, e.g. ``method_not_allowed``."""
    return error.name.lower().replace(" ", "_").replace("'", "")


def flatten_messages(
    messages: Mapping[str, Any] | list[Any] | str, prefix: str = ""
) -> dict[str, str]:
    """marshmallow's nested messages as one field path → message mapping (``votes.0.agreeing``),
    the way the API's 422 names them; the officials' pages show exactly the same."""
    if isinstance(messages, Mapping):
        fields: dict[str, str] = {}
        for key, value in messages.items():
            fields.update(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return fields
    if isinstance(messages, list | tuple):
        return {prefix: " ".join(str(item) for item in messages)}
    return {prefix: str(messages)}


def error_headers(error: HTTPException) -> dict[str, str]:
    """The error's own headers (Allow, Retry-After, WWW-Authenticate…), without its type."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def json_error(error: HTTPException) -> Response:
    """An HTTP error as a JSON response with the same status and headers (e.g. Allow on 405)."""
    # flask-smorest's abort() and webargs put validation messages in `data`, keyed first by
    # location (json, query, …); the client knows where it sent a field, so the location goes.
    data = getattr(error, "data", None) or {}
    messages = flatten_messages(data.get("errors") or data.get("messages") or {})
    fields = {path.partition(".")[2] or path: message for path, message in messages.items()}
    response = jsonify(
        error={
            "code": error_code(error),
            "message": data.get("message") or error.description or error.name,
            "fields": fields,
        }
    )
    response.status_code = error.code or 500
    response.headers.update(error_headers(error))
    response.headers.update(data.get("headers") or {})
    return response


def service_error_response(error: ServiceError) -> Response:
    """A refused use-case as a JSON error, with whatever details its type adds."""
    response = jsonify(
        error={
            "code": error.code,
            "message": error.message,
            "fields": error.fields,
            **error.details(),
        }
    )
    response.status_code = error.status
    response.headers.update(error.headers())
    return response


def error_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """An HTTP error as the app's error page in the visitor's language, keeping its headers."""
    code = error.code or 500
    return render_template("error.html", code=code), code, error_headers(error)


def database_unavailable() -> ServiceUnavailable:
    """The 503 for a database that does not answer, with the Retry-After clients honour."""
    return ServiceUnavailable(
        "The database is not available right now; please try again in a moment.",
        retry_after=DATABASE_RETRY_AFTER_SECONDS,
    )


def register_error_handlers(app: Flask, *, unavailable_page: ErrorPage = error_page) -> None:
    """Answer every HTTP error, refused use-case and database outage as JSON for programs and
    as a page for people; ``unavailable_page`` renders the outage's 503 page."""

    def handle_http_error(error: HTTPException):
        return json_error(error) if wants_json() else error_page(error)

    def handle_service_error(error: ServiceError):
        app_db().session.rollback()
        if wants_json():
            return service_error_response(error)
        page, status, headers = error_page(
            default_exceptions[error.status](description=error.message)
        )
        return page, status, {**headers, **error.headers()}

    def handle_database_down(error: OperationalError):
        # The database is down or unreachable (a restart, a failover): a 503 the client can
        # retry, never a 500; the portal keeps the resident's form and queued submission.
        # Only the error's class is logged: its text may quote a statement's parameters.
        logger.warning("database unavailable: %s", type(error.orig).__name__)
        session = app_db().session
        try:
            session.rollback()
        except SQLAlchemyError:
            session.close()
        unavailable = database_unavailable()
        return json_error(unavailable) if wants_json() else unavailable_page(unavailable)

    # Registered after flask-smorest's own handler, so this one wins.
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(OperationalError, handle_database_down)
