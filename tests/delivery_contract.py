"""How both apps deliver what they send (issue 13): gzip for a client that accepts it, the same
paths left uncompressed as nginx leaves them, static files under content-hashed names cached for a
year, pages revalidated.

Written once; tests/node/test_delivery.py and tests/hub/test_delivery.py import the tests and give
the ``delivery`` fixture: (a page path, a static file the page names, a path never compressed).
"""

from __future__ import annotations

import gzip
import re

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def test_pages_are_gzipped_for_a_client_that_accepts_it(client, delivery):
    page, _, _ = delivery

    plain = client.get(page)
    packed = client.get(page, headers=GZIP)

    assert packed.status_code == plain.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2
    assert gzip.decompress(packed.data).startswith(b"<!doctype html>")
    # Without Accept-Encoding: the page as it is, which caches must keep apart from the other.
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert plain.headers["Cache-Control"] == "no-cache"


def test_static_files_have_content_hashed_names_cached_for_a_year(client, delivery):
    page, static, _ = delivery
    html = client.get(page).get_data(as_text=True)
    url = next(url for url in STATIC_URL.findall(html) if url.endswith(static.rsplit(".", 1)[1]))
    stem, suffix = static.rsplit(".", 1)

    assert re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{10}}\.{suffix}", url), url
    hashed = client.get(url, headers=GZIP)
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["Content-Encoding"] == "gzip"
    assert hashed.headers["ETag"].startswith('W/"')
    plain = client.get(f"/static/{static}")
    assert gzip.decompress(hashed.data) == plain.data
    # The plain name, and a name from another version of the file: revalidated, never a year.
    assert plain.headers["Cache-Control"] == "no-cache"
    stale = client.get(f"/static/{stem}.0123456789.{suffix}")
    assert stale.status_code == 200
    assert stale.headers["Cache-Control"] == "no-cache"
    assert stale.data == plain.data
    assert client.get(f"/static/{stem}.0123456789.nope").status_code == 404


def test_a_static_file_revalidates_with_its_weakened_etag(client, delivery):
    _, static, _ = delivery
    first = client.get(f"/static/{static}", headers=GZIP)

    again = client.get(
        f"/static/{static}", headers={**GZIP, "If-None-Match": first.headers["ETag"]}
    )

    assert again.status_code == 304


def test_the_excluded_paths_are_never_compressed(client, delivery):
    _, _, excluded = delivery

    response = client.get(excluded, headers=GZIP)

    assert "Content-Encoding" not in response.headers


def test_compression_can_be_left_to_nginx(client, app, delivery, monkeypatch):
    page, static, _ = delivery
    monkeypatch.setitem(app.config, "COMPRESS_RESPONSES", False)

    assert "Content-Encoding" not in client.get(page, headers=GZIP).headers
    assert "Content-Encoding" not in client.get(f"/static/{static}", headers=GZIP).headers
