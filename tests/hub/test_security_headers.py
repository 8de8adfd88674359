"""Security headers and cookie flags on every kind of hub response (issue 7), as on the node."""

from __future__ import annotations

import secrets

import pytest

from hub import create_app
from hub.config import ProductionConfig
from tests.security_headers_contract import assert_host_only_session_cookie, assert_security_headers

PATHS = ["/", "/login", "/healthz", "/api/v1/openapi.json", "/api/v1/stats", "/nope"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    assert_security_headers(response)


def test_production_uses_hsts_and_a_host_only_secure_session_cookie(db_url):
    app = create_app(
        ProductionConfig(
            {"GIAMNGHEO_DATABASE_URL": db_url, "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48)}
        )
    )
    client = app.test_client()
    # The sign-in form puts its CSRF token in the session, so the session cookie is set.
    response = client.get("/login", base_url="https://hub.example")
    assert response.status_code == 200
    assert_security_headers(response, production=True)
    assert_host_only_session_cookie(response, "__Host-giamngheo-hub")
