"""The HTML pages: locale, language switch and security headers."""

import re

import pytest

from shared.units import provinces

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
    assert "<h1>Chọn nơi bạn sinh sống</h1>" in html
    assert "Tổng hợp hộ nghèo, hộ cận nghèo toàn quốc" in html
    assert "Văn phòng Quốc gia về giảm nghèo" in html


def test_entry_page_lists_every_province_with_its_status(client, nodes, register, pull):
    register(nodes["12"])
    register(nodes["01"])
    pull(provinces=["12"])

    html = client.get("/").get_data(as_text=True)

    items = re.findall(r'<li class="province state-(\w+)">(.*?)</li>', html, re.S)
    assert len(items) == 34
    states = {state: [body for s, body in items if s == state] for state, _ in items}
    assert len(states["online"]) == 1
    assert f'<a href="{nodes["12"].url}" lang="vi">Lai Châu</a>' in states["online"][0]
    assert "Đang hoạt động" in states["online"][0]
    assert len(states["registered"]) == 1  # Hà Nội: registered, never pulled
    assert nodes["01"].url in states["registered"][0]
    assert len(states["missing"]) == 32
    assert all("Chưa kết nối" in body and "<a " not in body for body in states["missing"])
    for item in provinces():
        assert item.name in html


def test_entry_page_needs_no_sign_in_and_shows_no_figures(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "<table" not in response.get_data(as_text=True)


def test_lang_en_gives_english_and_is_remembered(client):
    response = client.get("/?lang=en")

    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Choose where you live" in html
    assert "National overview of poor and near-poor households" in html
    assert "lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_accept_language_does_not_override_vietnamese(client):
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert '<html lang="vi">' in html


def test_unknown_lang_is_ignored(client):
    response = client.get("/?lang=fr")

    assert '<html lang="vi">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_page_has_skip_link_and_language_switch(client):
    html = client.get("/").get_data(as_text=True)

    assert '<a class="skip-link" href="#main">' in html
    assert 'id="main"' in html
    assert 'href="?lang=vi"' in html
    assert 'href="?lang=en"' in html


def test_page_loads_nothing_from_other_hosts(client):
    html = client.get("/").get_data(as_text=True)

    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html
    assert "style=" not in html


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1/openapi.json", "/api/v1/missing"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)

    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
