"""The OpenAPI contract both apps keep: every request body is documented by a schema with its
properties, so a client (and schemathesis) knows what to send.

Written once here; tests/node/test_openapi.py and tests/hub/test_openapi.py import it and
give their own ``client``.
"""

from __future__ import annotations

from typing import Any


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a ``$ref`` points to (followed until it is no reference)."""
    seen = set()
    while "$ref" in schema:
        reference = schema["$ref"]
        assert reference.startswith("#/components/schemas/"), reference
        assert reference not in seen, f"a $ref loop at {reference}"
        seen.add(reference)
        schema = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
    return schema


def request_bodies(document: dict[str, Any]):
    """(method, path, content type, schema) of every documented request body."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for content_type, content in operation["requestBody"]["content"].items():
                yield method.upper(), path, content_type, content.get("schema", {})


def test_every_request_body_has_a_schema_with_properties(client):
    document = client.get("/api/v1/openapi.json").get_json()
    bodies = list(request_bodies(document))
    undocumented = [
        f"{method} {path} ({content_type})"
        for method, path, content_type, schema in bodies
        if not resolve(document, schema).get("properties")
    ]

    assert bodies, "no request body documented at all"
    assert undocumented == []
