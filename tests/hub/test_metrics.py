"""The metrics tests (tests/metrics_contract.py) on the hub, and the hub's own gauges."""

from __future__ import annotations

import pytest

from hub import create_app
from hub.config import TestConfig
from tests.metrics_contract import (  # noqa: F401 - collected by pytest from this module
    samples,
    scrape,
    test_a_bad_allowlist_stops_the_app_at_start,
    test_labels_carry_the_route_rule_never_the_path,
    test_metrics_answers_this_host_with_every_family,
    test_metrics_refuses_other_addresses,
    test_none_allows_nobody,
    test_the_allowlist_judges_the_address_nginx_saw,
)


@pytest.fixture
def app_parts():
    return create_app, TestConfig


@pytest.fixture
def families():
    return {"giamngheo_nodes_stale"}


def test_pulls_freshness_and_stale_nodes(client, nodes, register, pull):
    register(nodes["01"])
    register(nodes["12"])
    nodes["12"].mode = "bad_signature"
    pull()
    pull(provinces=["01"])

    found = scrape(client)

    pulls = samples(found["giamngheo_pulls"], "giamngheo_pulls_total")
    assert pulls[(("outcome", "ok"), ("province", "01"))] == 1
    assert pulls[(("outcome", "not_modified"), ("province", "01"))] == 1
    assert pulls[(("outcome", "error"), ("province", "12"))] == 1
    ages = samples(found["giamngheo_node_last_success_age_seconds"])
    assert set(ages) == {(("province", "01"),)}
    assert ages[(("province", "01"),)] < 60
    # 12 never succeeded; unregistered provinces are not nodes that went stale.
    assert samples(found["giamngheo_nodes_stale"]) == {(): 1}
