"""GET /healthz: ok with a working database, 503 without one."""

import re

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from node import create_app
from node.config import TestConfig
from node.services.tracking import new_tracking_code
from tests.builders import application_request


def test_healthz_reports_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp_path}/missing-directory/node.db",
        # Port 1 on the loopback: nothing listens there, so the connection is refused at once.
        "postgresql+psycopg://postgres@127.0.0.1:1/giamngheo",
    ],
    ids=["sqlite", "postgresql"],
)
def test_healthz_is_503_when_the_database_is_unreachable(tmp_path, url):
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url.format(tmp_path=tmp_path)}))

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "error"}
    assert int(response.headers["Retry-After"]) > 0


def _app_without_database():
    return create_app(
        TestConfig({"GIAMNGHEO_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"})
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/units?parent=00070", None),
        ("post", "/api/v1/applications", application_request()),
        ("post", f"/api/v1/applications/{new_tracking_code()}/lookup", {"phone": "0912345678"}),
    ],
    ids=["units", "submit", "status"],
)
def test_api_answers_503_with_retry_after_when_the_database_is_down(method, path, body):
    client = _app_without_database().test_client()
    response = getattr(client, method)(path, json=body, headers={"Idempotency-Key": "key-12345678"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_pages_answer_503_when_the_database_is_down():
    client = _app_without_database().test_client()
    response = client.get("/declare?commune=00070", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert "text/html" in response.content_type


def _client_with_csrf_token():
    """A client of the database-less app, and a CSRF token its session accepts (made without
    a page, since every form page reads the database)."""
    app = _app_without_database()
    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
    client = app.test_client()
    with client.session_transaction() as stored:
        stored["csrf_token"] = raw
    return client, token


def _accepted_by_the_session(client, token: str) -> bool:
    """Whether ``token`` is a valid CSRF token for ``client``'s session."""
    app = client.application
    with client.session_transaction() as stored:
        raw = stored["csrf_token"]
    with app.test_request_context():
        session["csrf_token"] = raw
        try:
            validate_csrf(token)
        except ValidationError:
            return False
    return True


def test_a_residents_form_posted_while_the_database_is_down_comes_back_with_every_answer():
    """Without the browser script there is no draft on the device: the 503 page carries the
    posted answers (key included) so "Gửi lại" posts the very same form later."""
    client, token = _client_with_csrf_token()
    answers = {
        "csrf_token": token,
        "commune": "00070",
        "applicant_name": 'Nguyễn Thị "Lan" <b>',  # quoted and escaped, never markup
        "member-0-birth_date": "02/03/1985",
        "idempotency_key": "k" * 32,
    }
    response = client.post("/declare/submit?lang=vi", data=answers, headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "Hệ thống đang tạm gián đoạn" in page
    assert 'action="/declare/submit?lang=vi"' in page
    assert "Gửi lại" in page
    for name, value in answers.items():
        if name == "csrf_token":  # a fresh one is put in its place
            continue
        escaped = value.replace("&", "&amp;").replace('"', "&#34;").replace("<", "&lt;")
        escaped = escaped.replace(">", "&gt;")
        assert f'<input type="hidden" name="{name}" value="{escaped}">' in page
    assert "<b>" not in page
    fresh = re.findall(r'<input type="hidden" name="csrf_token" value="([^"]+)">', page)
    assert len(fresh) == 1
    assert _accepted_by_the_session(client, fresh[0])


def test_a_form_with_an_expired_token_while_the_database_is_down_still_keeps_the_answers():
    # The expired-session page needs the database too: the 503 page carries the answers, with a
    # token that works (the posted one did not).
    client, _token = _client_with_csrf_token()
    answers = {"csrf_token": "expired-token", "commune": "00070", "idempotency_key": "k" * 32}
    response = client.post("/declare/submit", data=answers, headers={"Accept": "text/html"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Gửi lại" in page
    assert '<input type="hidden" name="commune" value="00070">' in page
    assert "expired-token" not in page
    fresh = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)">', page).group(1)
    assert _accepted_by_the_session(client, fresh)
    assert not _accepted_by_the_session(client, "expired-token")


def test_other_pages_posted_while_the_database_is_down_carry_nothing_back():
    client, token = _client_with_csrf_token()
    response = client.post(
        "/officials/login",
        data={"username": "lan", "password": "a secret", "csrf_token": token},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 503
    assert "a secret" not in response.get_data(as_text=True)
