"""GET /healthz: ok with a working database, 503 without one."""

import pytest

from node import create_app
from node.config import TestConfig


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
