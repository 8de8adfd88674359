"""Security headers and cookie flags on every kind of response (issue 7)."""

from __future__ import annotations

import secrets

import pytest

from node import create_app
from node.config import ProductionConfig
from tests.security_headers_contract import assert_host_only_session_cookie, assert_security_headers

PATHS = ["/", "/declare", "/status", "/healthz", "/api/v1/units", "/api/v1/openapi.json", "/nope"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    assert_security_headers(response)


def test_production_uses_hsts_and_a_host_only_secure_session_cookie(db_url):
    app = create_app(
        ProductionConfig(
            {
                "GIAMNGHEO_DATABASE_URL": db_url,
                "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48),
                "GIAMNGHEO_PROVINCE": "01",
            }
        )
    )
    client = app.test_client()
    response = client.get("/declare", base_url="https://node.example")
    assert_security_headers(response, production=True)
    assert_host_only_session_cookie(response, "__Host-giamngheo")
