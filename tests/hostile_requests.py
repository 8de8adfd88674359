"""Requests no app may let through to a view, written once for both apps: a NUL anywhere (path,
query, form, header, JSON — raw or escaped) and JSON nested 5,000 deep. Each is a 400 in the
JSON error contract, never a 500, on SQLite and PostgreSQL alike (tests/node and tests/hub run
``hostile_requests`` against their app's own routes)."""

from __future__ import annotations

import json

from tests.api_error_contract import assert_error_shape

DEEP_JSON = "[" * 5000 + "]" * 5000


def hostile_requests(json_route: str, get_route: str, form_route: str):
    """(label, method, path, keyword arguments) for the test client: each must be a 400."""
    token_body = {"username": "someone", "password": "a password long enough"}
    return [
        ("nul in the query", "get", f"{get_route}?q=a%00b", {}),
        ("nul in a query key", "get", f"{get_route}?a%00b=1", {}),
        ("nul in the path", "get", f"{get_route}%00", {}),
        ("nul in a header", "get", get_route, {"headers": {"Idempotency-Key": "k\x00y"}}),
        ("raw nul in json", "post", json_route,
         {"data": json.dumps(token_body).replace("someone", "some\x00one"),
          "content_type": "application/json"}),
        ("escaped nul in json", "post", json_route,
         {"json": {**token_body, "username": "some\x00one"}}),
        ("deep json", "post", json_route, {"data": DEEP_JSON, "content_type": "application/json"}),
        ("nul in a form", "post", form_route, {"data": {"username": "a\x00b", "password": "x"}}),
    ]  # fmt: skip


def assert_refused(client, method, path, kwargs):
    """The request is a 400 naming the problem, as JSON for a program."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    response = getattr(client, method)(path, headers=headers, **kwargs)
    error = assert_error_shape(response, 400, "bad_request")
    assert "NUL" in error["message"] or "nested too deeply" in error["message"]
