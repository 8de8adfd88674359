"""The OpenAPI document at /api/v1/openapi.json."""

from tests.openapi_contract import (  # noqa: F401 - collected by pytest from this module
    test_every_request_body_has_a_schema_with_properties,
)


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "giamngheo node"
    assert "/healthz" in document["paths"]


def test_openapi_documents_the_error_shape(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    assert set(schemas["Error"]["properties"]) == {"error"}
    assert set(schemas["ErrorDetail"]["properties"]) == {"code", "message", "fields"}


ACTIONS = ["start_review", "assign", "verify", "record_meeting", "post", "complaint",
           "district_opinion", "decide", "withdraw"]  # fmt: skip


def test_each_action_has_its_own_documented_body_and_answer(client):
    document = client.get("/api/v1/openapi.json").get_json()
    bodies = {}
    for action in ACTIONS:
        operation = document["paths"][f"/api/v1/applications/{{application_id}}/actions/{action}"]
        post = operation["post"]
        body = post["requestBody"]["content"]["application/json"]["schema"]
        bodies[action] = body["$ref"]
        answer = post["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": "#/components/schemas/ApplicationFile"}
    assert len(set(bodies.values())) == len(ACTIONS)
    # No catch-all path without a body.
    assert "/api/v1/applications/{application_id}/actions/{action}" not in document["paths"]


def test_the_file_is_typed_to_its_leaves(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    fields = schemas["ApplicationFile"]["properties"]
    untyped = [
        name
        for name, field in fields.items()
        if field.get("type") == "object" and "properties" not in field and "$ref" not in field
    ]
    assert untyped == []
    assert "members" in fields["declared_facts"]["properties"]
    for name in ("verification", "comparison", "decision", "certificate", "household"):
        assert "$ref" in str(fields[name]), name
