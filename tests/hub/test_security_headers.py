"""Security headers and cookie flags on every kind of hub response (issue 7), as on the node."""

from __future__ import annotations

import secrets

import pytest

from hub import create_app
from hub.config import ProductionConfig

PATHS = ["/", "/login", "/healthz", "/api/v1/openapi.json", "/api/v1/stats", "/nope"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # Not in development and tests: HSTS would pin a developer's localhost to HTTPS.
    assert "Strict-Transport-Security" not in response.headers


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
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-giamngheo-hub="))
    assert "Secure" in session_cookie
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Path=/" in session_cookie
    assert "Domain" not in session_cookie
