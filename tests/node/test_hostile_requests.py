"""The node refuses what no request may carry (tests/hostile_requests.py) before any view:
nothing is written, nothing is a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from node.models import Application, AuditEntry, User
from tests.hostile_requests import DEEP_JSON, assert_refused, hostile_requests

CASES = hostile_requests("/api/v1/auth/token", "/api/v1/applications")


@pytest.mark.parametrize(
    ("label", "method", "path", "kwargs", "status"), CASES, ids=[c[0] for c in CASES]
)
def test_a_hostile_request_is_refused_and_writes_nothing(
    client, db_session, login_as, label, method, path, kwargs, status
):
    headers = login_as("commune_officer")
    counts = [db_session.scalar(select(func.count()).select_from(m)) for m in (User, AuditEntry)]

    merged = {**headers, **kwargs.get("headers", {})}
    assert_refused(client, method, path, {**kwargs, "headers": merged}, status)

    after = [db_session.scalar(select(func.count()).select_from(m)) for m in (User, AuditEntry)]
    assert after == counts


def test_deep_json_is_refused_on_every_json_route(client):
    for path in ("/api/v1/applications", "/api/v1/assessments"):
        assert_refused(
            client, "post", path, {"data": DEEP_JSON, "content_type": "application/json"}, 400
        )


def test_brackets_inside_a_string_do_not_count_as_nesting(client, db_session):
    before = db_session.scalar(select(func.count()).select_from(Application))

    response = client.post(
        "/api/v1/auth/token", json={"username": "[" * 5000, "password": "{" * 900}
    )

    assert response.status_code == 422  # the schema's length rule, not the depth guard
    assert db_session.scalar(select(func.count()).select_from(Application)) == before
