"""Both apps behind nginx: GIAMNGHEO_TRUSTED_PROXIES decides whether X-Forwarded-For and
X-Forwarded-Proto are believed, so a client cannot forge its address or the scheme.

The tests are written once here; tests/node/test_proxies.py and tests/hub/test_proxies.py import
them and give the ``app_parts`` fixture (the app's create_app and TestConfig).
"""

import json

import pytest
from flask import jsonify, request, url_for
from werkzeug.test import EnvironBuilder

from shared.settings import ConfigError

NGINX = "127.0.0.1"
CLIENT = "203.0.113.7"
FORGED = "10.66.66.66"


@pytest.fixture
def make_probe_app(tmp_path, app_parts):
    """``make(trusted_proxies)``: the app with a view that shows what it makes of the request."""
    create_app, test_config = app_parts

    def make(trusted_proxies: str | None):
        environ = {"GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
        if trusted_proxies is not None:
            environ["GIAMNGHEO_TRUSTED_PROXIES"] = trusted_proxies
        app = create_app(test_config(environ))

        @app.get("/probe/client")
        def probe():
            return jsonify(
                address=request.remote_addr,
                secure=request.is_secure,
                url=url_for("probe", _external=True),
            )

        return app

    return make


def probe(app, remote_addr, headers):
    """The probe's answer, and the WSGI environ afterwards (gunicorn logs its REMOTE_ADDR)."""
    environ = EnvironBuilder(
        path="/probe/client",
        base_url="http://node.example/",
        headers=headers,
        environ_base={"REMOTE_ADDR": remote_addr},
    ).get_environ()
    statuses = []
    body = b"".join(app(environ, lambda status, _headers: statuses.append(status)))
    assert statuses == ["200 OK"], statuses
    return json.loads(body), environ


@pytest.mark.parametrize("setting", [None, "", "0"], ids=["unset", "empty", "zero"])
def test_without_trusted_proxies_forwarded_headers_are_ignored(make_probe_app, setting):
    app = make_probe_app(setting)

    seen, environ = probe(app, CLIENT, {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"})

    assert seen == {"address": CLIENT, "secure": False, "url": "http://node.example/probe/client"}
    # What the WSGI server's access log shows for the request.
    assert environ["REMOTE_ADDR"] == CLIENT


def test_behind_nginx_the_address_is_the_one_nginx_saw(make_probe_app):
    app = make_probe_app("1")

    # The client sent its own X-Forwarded-For; nginx appended the address it saw.
    seen, environ = probe(app, NGINX, {"X-Forwarded-For": f"{FORGED}, {CLIENT}"})

    assert seen["address"] == CLIENT
    assert environ["REMOTE_ADDR"] == CLIENT


def test_behind_nginx_https_gives_https_urls(make_probe_app):
    app = make_probe_app("1")

    seen, _environ = probe(app, NGINX, {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"})

    assert seen["secure"] is True
    assert seen["url"] == "https://node.example/probe/client"


def test_behind_nginx_forwarded_host_and_port_are_never_believed(make_probe_app):
    app = make_probe_app("1")

    seen, _environ = probe(
        app,
        NGINX,
        {
            "X-Forwarded-For": CLIENT,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Port": "8443",
            "X-Forwarded-Prefix": "/evil",
        },
    )

    assert seen["url"] == "https://node.example/probe/client"


@pytest.mark.parametrize("raw", ["-1", "one", "1.5", "true", "１"])
def test_a_bad_trusted_proxies_setting_is_refused_by_name(app_parts, raw):
    _create_app, test_config = app_parts

    with pytest.raises(ConfigError, match=r"GIAMNGHEO_TRUSTED_PROXIES .*number of reverse proxies"):
        test_config({"GIAMNGHEO_TRUSTED_PROXIES": raw})


def test_the_trusted_proxies_setting_is_read(app_parts):
    _create_app, test_config = app_parts

    assert test_config({}).TRUSTED_PROXIES == 0
    assert test_config({"GIAMNGHEO_TRUSTED_PROXIES": " 2 "}).TRUSTED_PROXIES == 2
