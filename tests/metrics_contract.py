"""`GET /metrics` on both apps (DESIGN §5, issue 13): Prometheus' text format for the addresses of
GIAMNGHEO_METRICS_ALLOW only, judged by the client's real address; labels that carry the route's
rule, never a raw path; a bad setting stops the app at start.

Written once; tests/node/test_metrics.py and tests/hub/test_metrics.py import the tests and give
``app_parts`` (the app's create_app and TestConfig) and ``families`` (the app's own families).
"""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.settings import ConfigError

CLIENT = "203.0.113.7"


def scrape(client, **environ) -> dict[str, object]:
    """The families /metrics shows, by name."""
    response = client.get("/metrics", **({"environ_base": environ} if environ else {}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.get_data(as_text=True)
    return {family.name: family for family in text_string_to_metric_families(text)}


def samples(family, name: str | None = None) -> dict[tuple, float]:
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for sample in family.samples
        if name is None or sample.name == name
    }


def test_metrics_answers_this_host_with_every_family(client, families):
    client.get("/healthz")

    found = scrape(client)

    expected = {"giamngheo_http_requests", "giamngheo_http_request_duration_seconds"}
    assert expected | {"giamngheo_database_up", *families} <= set(found)
    assert samples(found["giamngheo_database_up"]) == {(): 1.0}
    counted = samples(found["giamngheo_http_requests"], "giamngheo_http_requests_total")
    key = (("endpoint", "/healthz"), ("method", "GET"), ("status", "200"))
    assert counted[key] >= 1
    assert found["giamngheo_http_request_duration_seconds"].type == "histogram"


def test_labels_carry_the_route_rule_never_the_path(client):
    secret = "0912345678"
    client.get(f"/no/such/page/{secret}?phone={secret}")
    client.open("/healthz", method="BREW")

    response = client.get("/metrics")

    text = response.get_data(as_text=True)
    assert secret not in text
    assert 'endpoint="<unmatched>",method="GET",status="404"' in text
    assert 'method="OTHER"' in text
    assert "BREW" not in text


@pytest.mark.parametrize("address", [CLIENT, "10.1.2.3", "::ffff:8.8.8.8", "2001:db8::1"])
def test_metrics_refuses_other_addresses(client, address):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})

    assert response.status_code == 403
    assert b"giamngheo_" not in response.data


def test_the_allowlist_judges_the_address_nginx_saw(app_parts, tmp_path):
    create_app, test_config = app_parts
    app = create_app(
        test_config(
            {
                "GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                "GIAMNGHEO_TRUSTED_PROXIES": "1",
                "GIAMNGHEO_METRICS_ALLOW": "192.0.2.0/24, 2001:db8::/32",
            }
        )
    )
    client = app.test_client()
    nginx = {"REMOTE_ADDR": "127.0.0.1"}

    # A client that forges X-Forwarded-For: nginx appends the address it really saw.
    forged = client.get(
        "/metrics", headers={"X-Forwarded-For": f"192.0.2.9, {CLIENT}"}, environ_base=nginx
    )
    # Loopback is no longer allowed once the setting names other networks.
    local = client.get("/metrics", environ_base=nginx)
    monitor = client.get("/metrics", headers={"X-Forwarded-For": "192.0.2.9"}, environ_base=nginx)

    assert forged.status_code == 403
    assert local.status_code == 403
    assert monitor.status_code == 200
    # An empty database (no tables): the app's own gauges are missing, the scrape still answers.
    assert "giamngheo_http_requests_total" in monitor.get_data(as_text=True)


@pytest.mark.parametrize("setting", ["localhost", "10.0.0.0/33", "10.0.0.1/8", "127.0.0.1;"])
def test_a_bad_allowlist_stops_the_app_at_start(app_parts, setting):
    _, test_config = app_parts

    with pytest.raises(ConfigError, match="GIAMNGHEO_METRICS_ALLOW"):
        test_config({"GIAMNGHEO_METRICS_ALLOW": setting})


def test_none_allows_nobody(app_parts, tmp_path):
    create_app, test_config = app_parts
    environ = {"GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    app = create_app(test_config({**environ, "GIAMNGHEO_METRICS_ALLOW": "none"}))

    assert app.test_client().get("/metrics").status_code == 403
