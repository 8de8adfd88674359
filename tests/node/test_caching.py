"""No cache keeps the node's answers that carry personal data (issue 12): every route walked
(tests/caching_contract.py), then the answers the issue names, with real data in them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from node.config import TestConfig
from node.services import accounts
from node.services.tracking import new_tracking_code
from tests.builders import application_request
from tests.caching_contract import CachingContract, directives
from tests.node.review_helpers import NOW

# What a cache may keep, by endpoint: anything else is no-store for everyone.
PUBLIC = frozenset(
    {
        "pages.index",
        "portal.declare",
        "portal.declare_submit_get",
        "health.Health",
        "api-docs.openapi_json",
        "units.Units",
        "standards.Standards",
        "standards.StandardDetail",
        # Counts only (DESIGN §6); the hub revalidates it by its ETag.
        "aggregates.Aggregates",
    }
)
ASSETS = frozenset(
    {
        "static",
        "portal_assets.standard",
        "portal_assets.manifest",
        "portal_assets.service_worker",
        # The field app's worker and manifest (issue 15): the same for everyone.
        "officials_field_files.worker",
        "officials_field_files.manifest",
    }
)
SAMPLES = {"name": "facts", "code": "ABCDEFGHJK", "device_id": "1"}

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def contract(app, client, login_web, make_user, db_session) -> CachingContract:
    login_web("province_admin", ("01",))
    user = make_user("province_officer", ("01",))
    token = accounts.open_session(db_session, user, accounts.API, now=NOW)
    db_session.commit()
    return CachingContract(
        app=app,
        anonymous=app.test_client(),
        signed_in=client,
        bearer={"Authorization": f"Bearer {token}"},
        public=PUBLIC,
        assets=ASSETS,
        samples=SAMPLES,
    )


def test_every_route_but_the_public_ones_answers_no_store(contract):
    assert not contract.unknown_endpoints()
    problems = contract.problems()
    assert not problems, "\n".join(problems)


def test_static_files_keep_their_year_long_cache_when_signed_in(contract):
    contract.static_file_stays_cached()


def no_store(response) -> bool:
    return "no-store" in directives(response.headers.get("Cache-Control", ""))


def submit(client) -> str:
    response = client.post(
        "/api/v1/applications",
        json=application_request(),
        headers={"Idempotency-Key": f"key-{new_tracking_code()}"},
    )
    assert response.status_code == 201
    assert no_store(response)
    return response.get_json()["tracking_code"]


@pytest.mark.now(datetime(2026, 11, 28, 3, 0, tzinfo=UTC))
def test_the_portals_status_receipt_and_withdraw_pages_are_no_store(client):
    code = submit(client)
    page = client.get("/status")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.get_data(True)).group(1)
    form = {"csrf_token": token, "tracking_code": code, "proof": "0912345678"}

    for path in ("/status", "/receipt", "/status/withdraw"):
        response = client.post(path, data=form)
        assert response.status_code == 200, path
        assert "0912345678" in response.get_data(as_text=True) or path == "/receipt"
        assert no_store(response), path
        assert "ETag" not in response.headers


def test_a_lookup_met_by_an_outage_gets_a_no_store_503_page():
    from node import create_app

    app = create_app(
        TestConfig({"GIAMNGHEO_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"})
    )
    app.config["WTF_CSRF_ENABLED"] = False
    form = {"tracking_code": "K7QMT4XPR2", "proof": "0912345678"}

    response = app.test_client().post("/status", data=form, headers={"Accept": "text/html"})

    assert response.status_code == 503
    assert 'value="0912345678"' in response.get_data(as_text=True)
    assert no_store(response)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/R5?period=2026&format=json",
        "/api/v1/reports/R5?period=2026&format=csv",
        "/api/v1/reports/R5?period=2026&format=xlsx",
        "/api/v1/reports/R1?period=2026&format=csv",
        "/api/v1/applications",
        "/api/v1/worklist",
        "/api/v1/auth/me",
    ],
)
def test_officials_api_answers_are_no_store(client, login_as, path):
    response = client.get(path, headers=login_as("commune_officer"))

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert no_store(response)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("commune_officer", "/officials/"),
        ("commune_officer", "/officials/applications"),
        ("commune_officer", "/officials/reports/R5.csv?period=2026"),
        ("commune_officer", "/officials/reports/R5.xlsx?period=2026"),
        ("commune_officer", "/officials/reports?form=R5&period=2026"),
        ("province_admin", "/admin/audit"),
        ("province_admin", "/admin/audit.csv"),
        ("province_admin", "/admin/users"),
    ],
)
def test_officials_pages_and_exports_are_no_store(client, login_web, role, path):
    login_web(role)

    response = client.get(path)

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert no_store(response)
    assert "ETag" not in response.headers
