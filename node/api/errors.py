"""JSON errors: one shape, `{"error": {"code", "message", "fields"}}`, for every program."""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from node.services.errors import ServiceError

API_PATH_PREFIX = "/api/"


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


def flatten_messages(messages: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    """Nested marshmallow messages as one field path → message mapping."""
    fields: dict[str, str] = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            fields.update(flatten_messages(value, path))
        elif isinstance(value, list | tuple):
            fields[path] = " ".join(str(item) for item in value)
        else:
            fields[path] = str(value)
    return fields


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
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.update(data.get("headers") or {})
    return response


def service_error_response(error: ServiceError) -> Response:
    """A refused use-case as a JSON error; a conflict also lists the actions still allowed."""
    response = jsonify(
        error={
            "code": error.code,
            "message": error.message,
            "fields": error.fields,
            **error.details(),
        }
    )
    response.status_code = error.status
    return response
