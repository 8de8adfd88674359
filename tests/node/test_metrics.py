"""The metrics tests (tests/metrics_contract.py) on the node, and the node's own gauges."""

from __future__ import annotations

from datetime import timedelta

import pytest

from node import create_app
from node.config import TestConfig
from node.models import Application
from node.services.aggregates import build_snapshot
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
from tests.node.review_helpers import NOW, submit

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def app_parts():
    return create_app, TestConfig


@pytest.fixture
def families():
    return {"giamngheo_applications", "giamngheo_applications_overdue"}


def test_applications_by_status_overdue_and_snapshot_age(client, db_session, team):
    first = submit(client)["tracking_code"]
    submit(client)
    late = db_session.query(Application).filter_by(tracking_code=first).one()
    late.due_on = (NOW - timedelta(days=3)).date()
    build_snapshot(db_session, "01", 2026, NOW - timedelta(hours=2))
    db_session.commit()

    found = scrape(client)

    by_status = samples(found["giamngheo_applications"])
    assert by_status[(("status", "submitted"),)] == 2
    assert by_status[(("status", "decided"),)] == 0
    assert len(by_status) == 6
    assert samples(found["giamngheo_applications_overdue"]) == {(): 1}
    assert samples(found["giamngheo_snapshot_age_seconds"]) == {(): 7200}
