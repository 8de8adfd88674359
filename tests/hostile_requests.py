"""Requests no app may let through to a view, written once for both apps: a NUL in the path,
the query or a header, JSON nested 5,000 deep and a raw NUL in JSON (not JSON at all) are a
400; an escaped NUL in a JSON value is a 422 naming the field. Never a 500, on SQLite and
PostgreSQL alike (tests/node and tests/hub run ``hostile_requests`` against their app's own
routes). A NUL in a form's field is the form schema's to refuse (tests/node/test_form_contract.py;
the sign-in forms in each app's test module)."""

from __future__ import annotations

import json

from tests.api_error_contract import assert_error_shape

DEEP_JSON = "[" * 5000 + "]" * 5000


def hostile_requests(json_route: str, get_route: str):
    """(label, method, path, keyword arguments, status) for the test client."""
    body = {"username": "someone", "password": "a password long enough"}
    raw_nul = json.dumps(body).replace("someone", "some\x00one")
    return [
        ("nul in the query", "get", f"{get_route}?q=a%00b", {}, 400),
        ("nul in a query key", "get", f"{get_route}?a%00b=1", {}, 400),
        ("nul in the path", "get", f"{get_route}%00", {}, 400),
        ("nul in a header", "get", get_route, {"headers": {"Idempotency-Key": "k\x00y"}}, 400),
        ("raw nul in json", "post", json_route,
         {"data": raw_nul, "content_type": "application/json"}, 400),
        ("escaped nul in json", "post", json_route,
         {"json": {**body, "username": "some\x00one"}}, 422),
        ("deep json", "post", json_route,
         {"data": DEEP_JSON, "content_type": "application/json"}, 400),
    ]  # fmt: skip


def assert_refused(client, method, path, kwargs, status):
    """A 400 saying what is wrong, or a 422 naming the JSON field that holds the NUL."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    response = getattr(client, method)(path, headers=headers, **kwargs)
    if status == 422:
        error = assert_error_shape(response, 422, "unprocessable_entity")
        assert list(error["fields"]) == ["username"]
        return
    error = assert_error_shape(response, 400, "bad_request")
    said = f"{error['message']} {error['fields']}"
    assert "NUL" in said or "nested too deeply" in said or "Invalid JSON" in said
