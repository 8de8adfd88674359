"""GET /healthz: ok with a working database, 503 without one."""

import pytest

from node import create_app
from node.config import TestConfig
from node.services.tracking import new_tracking_code
from tests.builders import application_request


def test_healthz_reports_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp_path}/missing-directory/node.db",
        # Port 1 on the loopback: nothing listens there, so the connection is refused at once.
        "postgresql+psycopg://postgres@127.0.0.1:1/giamngheo",
    ],
    ids=["sqlite", "postgresql"],
)
def test_healthz_is_503_when_the_database_is_unreachable(tmp_path, url):
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url.format(tmp_path=tmp_path)}))

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "error"}
    assert int(response.headers["Retry-After"]) > 0


def _app_without_database():
    return create_app(
        TestConfig({"GIAMNGHEO_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"})
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/units?parent=00070", None),
        ("post", "/api/v1/applications", application_request()),
        ("get", f"/api/v1/applications/{new_tracking_code()}?phone=0912345678", None),
    ],
    ids=["units", "submit", "status"],
)
def test_api_answers_503_with_retry_after_when_the_database_is_down(method, path, body):
    client = _app_without_database().test_client()
    response = getattr(client, method)(path, json=body, headers={"Idempotency-Key": "key-12345678"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_pages_answer_503_when_the_database_is_down():
    client = _app_without_database().test_client()
    response = client.get("/declare?commune=00070", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert "text/html" in response.content_type
