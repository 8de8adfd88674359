"""GET /healthz: ok with a working database, 503 without one."""

import pytest

from hub import create_app
from hub.config import TestConfig

# Port 1 on the loopback: nothing listens there, so the connection is refused at once.
UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/giamngheo"


def test_healthz_reports_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp_path}/missing-directory/hub.db",
        UNREACHABLE_POSTGRES,
    ],
    ids=["sqlite", "postgresql"],
)
def test_healthz_is_503_when_the_database_is_unreachable(tmp_path, url):
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url.format(tmp_path=tmp_path)}))

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "error"}
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("path", "headers", "kind"),
    [
        ("/", {"Accept": "text/html"}, "text/html"),
        ("/api/v1/nodes", {"Authorization": "Bearer some-token"}, "application/json"),
    ],
)
def test_an_unreachable_database_is_a_503_to_retry_never_a_500(path, headers, kind):
    # The shared error handlers answer the hub's pages and API as they answer the node's.
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": UNREACHABLE_POSTGRES}))

    response = app.test_client().get(path, headers=headers)

    assert response.status_code == 503
    assert response.mimetype == kind
    assert int(response.headers["Retry-After"]) > 0
    if kind == "application/json":
        assert response.get_json()["error"]["code"] == "service_unavailable"
