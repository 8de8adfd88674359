"""The delivery tests (tests/delivery_contract.py) on the node, and what only the node has: the
snapshot the hub verifies byte for byte is never compressed and keeps its ETag."""

from __future__ import annotations

import base64

import pytest

from node.context import signing_key
from node.services import hub_access
from tests.delivery_contract import (  # noqa: F401 - collected by pytest from this module
    GZIP,
    test_a_static_file_revalidates_with_its_weakened_etag,
    test_compression_can_be_left_to_nginx,
    test_pages_are_gzipped_for_a_client_that_accepts_it,
    test_static_files_have_content_hashed_names_cached_for_a_year,
    test_the_excluded_paths_are_never_compressed,
)
from tests.node.review_helpers import NOW

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def delivery():
    return "/", "css/app.css", "/officials/login"


def test_the_aggregates_are_sent_as_signed_and_keep_their_etag(
    client, db_session, app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "SIGNING_KEY_FILE", str(tmp_path / "signing.pem"))
    app.extensions.pop("giamngheo.signing_key", None)
    token = hub_access.issue_hub_token(db_session, NOW)
    db_session.commit()
    headers = {**GZIP, "Authorization": f"Bearer {token}"}

    response = client.get("/api/v1/aggregates?period=2026", headers=headers)
    again = client.get(
        "/api/v1/aggregates?period=2026",
        headers={**headers, "If-None-Match": response.headers["ETag"]},
    )

    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    signature = base64.b64decode(response.headers["X-Signature"])
    signing_key().public_key().verify(signature, response.get_data())
    assert not response.headers["ETag"].startswith("W/")
    assert again.status_code == 304
    app.extensions.pop("giamngheo.signing_key", None)


def test_the_offline_shell_names_the_files_the_pages_load(client):
    import json
    import re

    shell = json.loads(
        re.search(r"var SHELL = (\[.*?\]);", client.get("/sw.js").get_data(as_text=True))[1]
    )
    page = client.get("/").get_data(as_text=True)
    loaded = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))

    assert loaded <= set(shell)
    for url in shell:
        assert client.get(url).status_code == 200, url
