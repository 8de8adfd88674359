"""No official reads or changes anything outside their units (DESIGN §2), whatever the endpoint."""

from __future__ import annotations

import pytest

from node.services.scopes import ROLES
from tests.node.review_helpers import IDENTITIES, application_id, submit, verified_facts

# Another commune of Hà Nội (00073) and a village of it; and a second village of 00070.
OUTSIDE_UNITS = {
    "village_head": ("00070-002",),
    "commune_officer": ("00073",),
    "commune_chair": ("00073",),
}
ACTIONS = [
    ("start_review", {}),
    ("assign", {"user_id": 1}),
    # A body that passes its schema: what is refused is the official, not the input.
    ("verify", {"facts": verified_facts(), "identities": IDENTITIES}),
    ("record_meeting", {"held_on": "2026-11-10", "attendees": 3, "agreeing": 2}),
    ("post", {"starts_on": "2026-11-20"}),
    ("complaint", {"content": "x"}),
    ("district_opinion", {"received_on": "2026-11-20", "agrees": True}),
    ("decide", {"number": "1", "decided_on": "2026-11-24", "outcome": "recognised"}),
    ("withdraw", {}),
]


pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def target(client, login_as, make_user):
    """An application in village 00070-001 of commune 00070, and its id."""
    make_user("village_head", ("00070-001",))  # the village exists from here on
    tracking = submit(client)["tracking_code"]
    return application_id(client, login_as("province_officer"), tracking)


@pytest.mark.parametrize("role", sorted(OUTSIDE_UNITS))
def test_outside_officials_cannot_read_the_file(client, login_as, target, role):
    headers = login_as(role, OUTSIDE_UNITS[role])
    assert client.get(f"/api/v1/applications/{target}", headers=headers).status_code == 404
    listed = client.get("/api/v1/applications", headers=headers).get_json()["items"]
    assert target not in [item["id"] for item in listed]


@pytest.mark.parametrize("role", sorted(OUTSIDE_UNITS))
@pytest.mark.parametrize(("action", "body"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_outside_officials_cannot_act(client, login_as, target, role, action, body):
    headers = login_as(role, OUTSIDE_UNITS[role])
    response = client.post(
        f"/api/v1/applications/{target}/actions/{action}", json=body, headers=headers
    )
    # 404 (not in your area) or 403 (your role never does this): never anything done.
    assert response.status_code in (403, 404), (role, action, response.get_json())
    officer = login_as("commune_officer")
    detail = client.get(f"/api/v1/applications/{target}", headers=officer).get_json()
    assert detail["status"] == "submitted"
    assert [event["action"] for event in detail["history"]] == ["submit"]


@pytest.mark.parametrize(
    ("role", "action", "body"),
    [
        ("commune_chair", "start_review", {}),
        ("village_head", "start_review", {}),
        ("province_officer", "start_review", {}),
        ("province_admin", "withdraw", {}),
        ("village_head", "decide", {"number": "1", "decided_on": "2026-11-24", "outcome": "refused",
                                    "reasons": "x"}),
        ("commune_officer", "decide", {"number": "1", "decided_on": "2026-11-24",
                                       "outcome": "recognised"}),
    ],
)  # fmt: skip
def test_roles_that_never_do_an_action_get_403(client, login_as, target, role, action, body):
    headers = login_as(role)
    response = client.post(
        f"/api/v1/applications/{target}/actions/{action}", json=body, headers=headers
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", ROLES)
def test_officials_in_scope_can_read(client, login_as, target, role):
    response = client.get(f"/api/v1/applications/{target}", headers=login_as(role))
    assert response.status_code == 200
    assert response.get_json()["applicant"]["full_name"] == "Nguyễn Thị Lan"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/applications",
        "/api/v1/applications/1",
        "/api/v1/worklist",
    ],
)
def test_no_token_no_data(client, target, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_village_head_sees_only_their_villages(client, login_as, target):
    login_as("village_head", ("00070-002",))
    other = submit(client, village_code="00070-002")["tracking_code"]
    headers = login_as("village_head", ("00070-001",))
    listed = client.get("/api/v1/applications", headers=headers).get_json()["items"]
    codes = [item["tracking_code"] for item in listed]
    assert other not in codes
    assert len(codes) == 1


def test_the_list_names_each_applications_village(client, login_as, target):
    items = client.get("/api/v1/applications", headers=login_as("commune_officer")).get_json()
    assert [item["village_code"] for item in items["items"]] == ["00070-001"]
