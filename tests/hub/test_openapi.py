"""The OpenAPI document at /api/v1/openapi.json."""

from tests.openapi_contract import (  # noqa: F401 - collected by pytest from this module
    test_every_request_body_has_a_schema_with_properties,
)


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "giamngheo hub"
    assert "/healthz" in document["paths"]


def test_openapi_documents_the_error_shape(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    assert set(schemas["Error"]["properties"]) == {"error"}
    assert set(schemas["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
