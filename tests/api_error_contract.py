"""The JSON error contract both apps keep: every error under /api/ and for non-HTML clients has
one shape, and bad input is never a 500.

The tests are written once here; tests/node/test_api_errors.py and tests/hub/test_api_errors.py
import them and give the ``app_parts`` fixture (the app's create_app, TestConfig and csrf).
"""

import logging

import marshmallow as ma
import pytest
from flask_smorest import Blueprint


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert error["message"]
    return error


def test_unknown_api_path_is_a_json_404(client):
    error = assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")

    assert error["fields"] == {}


def test_api_404_is_json_even_for_a_browser(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})

    assert_error_shape(response, 404, "not_found")


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/v1/openapi.json")

    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_non_html_client_gets_json_outside_the_api(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})

    assert_error_shape(response, 404, "not_found")


def test_browser_gets_an_html_error_page(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


class AgeSchema(ma.Schema):
    age = ma.fields.Integer(required=True)
    members = ma.fields.List(ma.fields.Nested(lambda: MemberSchema()))


class MemberSchema(ma.Schema):
    birth_date = ma.fields.Date(required=True)


@pytest.fixture
def probe_app(tmp_path, app_parts):
    """The app with extra API views that validate input and that fail."""
    create_app, test_config, csrf = app_parts
    app = create_app(test_config({"GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}))
    # Let unexpected exceptions reach the 500 handler, as in production, instead of the test.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    blp = Blueprint("probe", __name__, url_prefix="/api/v1/probe")

    @blp.post("/echo")
    @blp.arguments(AgeSchema)
    def echo(payload):
        return payload

    @blp.post("/boom")
    def boom():
        raise RuntimeError("unexpected")

    app.register_blueprint(blp)
    csrf.exempt(blp)  # as each app's api package does for its blueprints
    return app


def test_invalid_fields_are_a_422_naming_each_field(probe_app):
    response = probe_app.test_client().post(
        "/api/v1/probe/echo", json={"age": "old", "members": [{"birth_date": "1990-01-01"}, {}]}
    )

    error = assert_error_shape(response, 422, "unprocessable_entity")
    assert set(error["fields"]) == {"age", "members.1.birth_date"}


def test_malformed_json_is_a_400_not_a_500(probe_app):
    response = probe_app.test_client().post(
        "/api/v1/probe/echo", data="{not json", content_type="application/json"
    )

    assert_error_shape(response, 400, "bad_request")


def test_unexpected_exception_is_a_logged_json_500_without_the_body(probe_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = probe_app.test_client().post(
            "/api/v1/probe/boom", json={"citizen_id": "001099012345"}
        )

    assert_error_shape(response, 500, "internal_server_error")
    assert "/api/v1/probe/boom" in caplog.text
    assert "RuntimeError" in caplog.text
    assert "001099012345" not in caplog.text
