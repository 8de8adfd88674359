"""The hub refuses what no request may carry (tests/hostile_requests.py) before any view."""

from __future__ import annotations

import pytest

from tests.hostile_requests import assert_refused, hostile_requests
from tests.hub.conftest import TEST_PASSWORD
from tests.session_helpers import form_token

CASES = hostile_requests("/api/v1/auth/token", "/api/v1/stats")


@pytest.mark.parametrize(
    ("label", "method", "path", "kwargs", "status"), CASES, ids=[c[0] for c in CASES]
)
def test_a_hostile_request_is_refused(client, api_headers, label, method, path, kwargs, status):
    merged = {**api_headers, **kwargs.get("headers", {})}
    assert_refused(client, method, path, {**kwargs, "headers": merged}, status)


@pytest.mark.parametrize("field", ["username", "password", "totp", "next"])
def test_a_nul_in_the_sign_in_form_is_a_refused_sign_in(client, make_user, field):
    user = make_user()
    form = {"username": user.username, "password": TEST_PASSWORD, "totp": "", "next": "/"}
    form[field] = form[field] + "\x00"

    response = client.post("/login", data={**form, "csrf_token": form_token(client, "/login")})

    assert response.status_code in (302, 401)
    assert response.status_code == 401 or field in ("totp", "next")
