"""The HTML pages: locale, language switch, province header and security headers."""

import re

import pytest

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def test_home_page_is_vietnamese_by_default(client):
    response = client.get("/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Tự đánh giá và đăng ký hộ nghèo, hộ cận nghèo" in html
    assert "Hệ thống quản lý hộ nghèo, hộ cận nghèo" in html


def test_header_shows_the_province_of_the_node(client):
    assert "Thành phố Hà Nội" in client.get("/").get_data(as_text=True)


def test_lang_en_gives_english_and_is_remembered(client):
    response = client.get("/?lang=en")

    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Self-assessment and registration of poor and near-poor households" in html
    assert "lang=en" in response.headers["Set-Cookie"]
    # The cookie carries the choice to the next page, which has no ?lang=.
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_lang_vi_switches_back(client):
    client.get("/?lang=en")

    html = client.get("/?lang=vi").get_data(as_text=True)

    assert '<html lang="vi">' in html
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_accept_language_does_not_override_vietnamese(client):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)

    assert '<html lang="vi">' in html


def test_unknown_lang_is_ignored(client):
    response = client.get("/?lang=xx")

    assert response.status_code == 200
    assert '<html lang="vi">' in response.get_data(as_text=True)
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_page_has_skip_link_and_language_switch(client):
    html = client.get("/").get_data(as_text=True)

    assert re.search(r'<a class="skip-link" href="#main">', html)
    assert 'id="main"' in html
    assert 'href="?lang=vi"' in html
    assert 'href="?lang=en"' in html
    assert "Tiếng Việt" in html
    assert "English" in html


def test_page_loads_nothing_from_other_hosts(client):
    html = client.get("/").get_data(as_text=True)

    assert not re.search(r'(src|href)="(https?:)?//', html)
    # Scripts are the site's own files, content-hashed (or JSON data): nothing inline runs.
    own_script = r'src="/static/js/[a-z]+\.[0-9a-f]{10}\.js"'
    for tag in re.findall(r"<script[^>]*>", html):
        assert re.search(own_script, tag) or 'type="application/json"' in tag
    assert "style=" not in html


def test_stylesheet_is_served(client):
    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "min-height: 44px" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1/openapi.json", "/api/v1/missing"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)

    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
