"""The portal as a web app: the standards' JSON for the browser engine, the manifest and icons,
the service worker, no inline script, and the declaration page's weight on a slow phone."""

from __future__ import annotations

import gzip
import json
import re
import struct

import pytest

from shared.standards.catalog import DATA_DIR

PAGE_BUDGET = 50 * 1024
# Assets a page loads (not links a person follows): scripts, styles, the manifest, icons.
ASSET = re.compile(r'<(?:script[^>]* src|link[^>]* href)="([^"]+)"')
FOREIGN = re.compile(r"""(?:src|href|action|url\()\s*=?\s*["'(]?\s*(?:https?:)?//""", re.I)
ANY_URL = re.compile(r"https?://", re.I)


@pytest.mark.parametrize("name", ["VN-2022-2025", "VN-2027-2030", "facts"])
def test_standard_files_are_served_byte_for_byte_and_cacheable(client, name):
    response = client.get(f"/standards/{name}.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.data == (DATA_DIR / f"{name}.json").read_bytes()
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert response.headers["ETag"]
    again = client.get(
        f"/standards/{name}.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("name", ["VN-2099", "..%2Fcatalog", "facts.json", "standard"])
def test_other_standard_names_are_not_found(client, name):
    assert client.get(f"/standards/{name}.json").status_code == 404


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_makes_the_portal_installable(client):
    response = client.get("/manifest.webmanifest")

    manifest = json.loads(response.data)
    assert response.mimetype == "application/manifest+json"
    assert manifest["name"] == "Tự đánh giá và đăng ký hộ nghèo, hộ cận nghèo"
    assert manifest["lang"] == "vi"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {}
    for icon in manifest["icons"]:
        data = client.get(icon["src"]).data
        if icon["type"] == "image/png":
            width, height = png_size(data)
            assert icon["sizes"] == f"{width}x{height}"
            sizes[width] = icon["src"]
        else:
            assert data.startswith(b"<svg")
    assert set(sizes) == {192, 512}


def test_service_worker_is_served_from_the_root_with_a_versioned_cache(client):
    response = client.get("/sw.js")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    version = re.search(r'var VERSION = "([0-9a-f]{16})";', body).group(1)
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", body).group(1))
    # Static files by the content-hashed names the pages use (shared/web/assets.py).
    plain = {re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url) for url in shell}
    assert {
        "/declare",
        "/static/css/app.css",
        "/static/js/engine.js",
        "/static/js/portal.js",
        "/standards/VN-2022-2025.json",
        "/standards/VN-2027-2030.json",
        "/standards/facts.json",
        "/static/icons/icon-192.png",
        "/manifest.webmanifest",
    } <= plain
    for url in shell:
        assert client.get(url).status_code == 200, url
    assert client.get("/sw.js").get_data(as_text=True).count(version) == 1


def test_portal_pages_run_no_inline_script(client):
    for path in ["/", "/declare", "/declare?kind=exit", "/status"]:
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            script = re.search(r'src="/static/js/[\w.]+\.js"', tag)
            assert script or 'type="application/json"' in tag
        assert not re.search(r"<[^>]+\son[a-z]+=", html), "an inline event handler"
        assert "style=" not in html


def test_declaration_page_weight_and_no_other_host(client):
    """The declaration page and everything it loads: at most 50 KB gzipped, all from this host."""
    page = client.get("/declare")
    html = page.get_data(as_text=True)
    config = json.loads(re.search(r'id="portal-config">(.*?)</script>', html, re.S).group(1))
    # Static files by their plain names (the pages give content-hashed ones).
    urls = {re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url) for url in ASSET.findall(html)}
    urls |= {*config["setup"]["standardUrls"], config["setup"]["catalogUrl"]}
    sizes = {"/declare": len(gzip.compress(page.data, compresslevel=6))}
    texts = {"/declare": html}
    for url in sorted(urls):
        assert re.match(r"/[^/]", url), url
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(gzip.compress(response.data, compresslevel=6))
        if url.endswith((".css", ".js", ".json", ".webmanifest")):
            texts[url] = response.get_data(as_text=True)
        elif url.endswith(".svg"):
            texts[url] = response.get_data(as_text=True).replace(
                'xmlns="http://www.w3.org/2000/svg"', ""
            )

    assert {"/static/css/app.css", "/static/js/portal.js", "/static/js/engine.js"} <= urls
    assert "/manifest.webmanifest" in urls
    assert "/standards/facts.json" in urls
    total = sum(sizes.values())
    assert total <= PAGE_BUDGET, f"{total} bytes gzipped: {sizes}"
    for url, text in texts.items():
        assert not FOREIGN.search(text), url
        assert not ANY_URL.search(text), url


def test_pages_tell_the_browser_where_the_manifest_and_token_are(client):
    html = client.get("/").get_data(as_text=True)

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert re.search(r'<meta name="csrf-token" content="[^"]{20,}">', html)
    assert '<meta name="theme-color" content="#a3141c">' in html
