"""The hub refuses what no request may carry (tests/hostile_requests.py) before any view."""

from __future__ import annotations

import pytest

from tests.hostile_requests import assert_refused, hostile_requests

CASES = [*hostile_requests(
    "/api/v1/auth/token", "/api/v1/stats", "/login"
)]  # fmt: skip


@pytest.mark.parametrize(("label", "method", "path", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_request_is_a_400(client, api_headers, label, method, path, kwargs):
    assert_refused(
        client, method, path, {**kwargs, "headers": {**api_headers, **kwargs.get("headers", {})}}
    )
