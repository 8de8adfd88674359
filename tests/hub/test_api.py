"""The hub's JSON API: tokens, the node list and the stats, each needing a central user."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.services.pulls import store_snapshot
from shared.schemas import COUNT_FIELDS
from tests.hub.conftest import TEST_PASSWORD
from tests.hub.fakenode import make_snapshot

PROTECTED = ["/api/v1/nodes", "/api/v1/stats", "/api/v1/stats?level=province"]


def test_a_central_user_gets_a_token(client, make_user):
    user = make_user("central_admin")

    response = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "role"}
    assert body["role"] == "central_admin"
    assert response.headers["Cache-Control"] == "no-store"
    nodes = client.get("/api/v1/nodes", headers={"Authorization": f"Bearer {body['token']}"})
    assert nodes.status_code == 200


def test_a_wrong_password_is_a_401_with_the_challenge(client, make_user):
    user = make_user()

    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": "x"})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_five_failures_lock_the_account(client, make_user):
    user = make_user()
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"username": user.username, "password": "wrong"})

    response = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 401


def test_unknown_fields_in_the_sign_in_are_refused(client):
    response = client.post("/api/v1/auth/token", json={"username": "a", "password": "b", "x": 1})

    assert response.status_code == 422
    assert "x" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("path", PROTECTED)
def test_without_a_token_it_is_a_401(client, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("path", PROTECTED)
def test_a_bad_token_is_a_401(client, path):
    response = client.get(path, headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_stops_working(client, api_headers):
    assert client.post("/api/v1/auth/logout", headers=api_headers).status_code == 204

    assert client.get("/api/v1/nodes", headers=api_headers).status_code == 401


def test_a_web_session_cookie_is_not_an_api_token(client, signed_in, db_session):
    assert client.get("/api/v1/nodes").status_code == 200  # the session works on the API…
    response = client.get("/api/v1/nodes", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401  # …but a bad bearer header is judged alone


def test_nodes_lists_registered_nodes_with_their_freshness(
    client, api_headers, nodes, register, pull
):
    register(nodes["12"])
    register(nodes["01"])
    pull(provinces=["12"])

    items = client.get("/api/v1/nodes", headers=api_headers).get_json()["items"]

    assert [item["province_code"] for item in items] == ["01", "12"]
    assert set(items[0]) == {"province_code", "url", "last_success_at", "last_status", "stale"}
    assert items[0]["last_status"] == "never"
    assert items[0]["stale"] is True
    assert items[0]["last_success_at"] is None
    assert items[1]["last_status"] == "ok"
    assert items[1]["stale"] is False
    assert items[1]["url"] == nodes["12"].url
    assert items[1]["last_success_at"].startswith("20")


@pytest.fixture
def figures(db_session):
    snapshots = [make_snapshot("01", communes=3), make_snapshot("12", scale=2, communes=2)]
    for snapshot in snapshots:
        store_snapshot(db_session, snapshot, now=datetime.now(UTC))
    db_session.commit()
    return snapshots


def test_stats_national(client, api_headers, figures):
    body = client.get("/api/v1/stats?period=2026&level=national", headers=api_headers).get_json()

    [item] = body["items"]
    assert item["code"] == "VN"
    # DESIGN §6: the summed counts, the projection under the next standard, official, source
    # (and the rates, the combined count and how many provinces are summed).
    assert set(item) == {
        "code", "name", "deprived", *COUNT_FIELDS, "projected_poor", "projected_near_poor",
        "official", "source", "poor_rate", "near_poor_rate", "poor_near_poor",
        "poor_near_poor_rate", "provinces",
    }  # fmt: skip
    assert (item["official"], item["source"]) == (False, "node")
    for name in COUNT_FIELDS:
        assert item[name] == sum(row[name] for s in figures for row in s["rows"])


def test_stats_province_and_commune(client, api_headers, figures):
    provinces = client.get("/api/v1/stats?period=2026&level=province", headers=api_headers)
    one = client.get("/api/v1/stats?period=2026&level=province&code=12", headers=api_headers)
    communes = client.get("/api/v1/stats?period=2026&level=commune&code=01", headers=api_headers)

    assert [item["code"] for item in provinces.get_json()["items"]] == ["01", "12"]
    assert [item["code"] for item in one.get_json()["items"]] == ["12"]
    assert [item["code"] for item in communes.get_json()["items"]] == [
        row["commune_code"] for row in figures[0]["rows"]
    ]


def test_stats_default_to_the_latest_period(client, api_headers, figures):
    body = client.get("/api/v1/stats", headers=api_headers).get_json()

    assert body["period"] == 2026
    assert body["items"][0]["poor"] > 0


@pytest.mark.parametrize(
    ("query", "field"),
    [("level=commune", "code"), ("level=galaxy", "level"), ("period=1999", "period"),
     ("code=999", "code"), ("level=province&code=99", "code"), ("colour=red", "colour")],
)  # fmt: skip
def test_bad_stats_queries_are_a_422_naming_the_field(client, api_headers, query, field):
    response = client.get(f"/api/v1/stats?{query}", headers=api_headers)

    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_the_openapi_document_describes_the_hub_api(client):
    document = client.get("/api/v1/openapi.json").get_json()

    assert {"/api/v1/auth/token", "/api/v1/nodes", "/api/v1/stats"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/stats"]["get"]["security"] == [{"bearerAuth": []}]
    parameters = {p["name"] for p in document["paths"]["/api/v1/stats"]["get"]["parameters"]}
    assert parameters == {"period", "level", "code"}
