"""A flaky phone's retries arrive at the same moment: one application, one answer, for all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from node import create_app
from node.config import TestConfig
from node.extensions import db
from node.models import Application, IdempotencyKey
from node.services.lookups import MAX_WRONG_PER_CODE
from shared.web.database import upgrade_database
from tests.builders import application_request

PARALLEL = 8


@pytest.fixture
def served_node(make_app) -> Iterator[tuple[str, object]]:
    """A node on its own fresh database, served by a threaded server on a free local port."""
    app = make_app()
    app.config["FIXED_NOW"] = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    with app.app_context():
        upgrade_database()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)


def post_together(url: str, bodies: list[dict], keys: list[str]) -> list[requests.Response]:
    """POST every body at once (a barrier releases all threads together)."""
    barrier = threading.Barrier(len(bodies))
    responses: list[requests.Response | None] = [None] * len(bodies)

    def send(index: int) -> None:
        with requests.Session() as session:
            barrier.wait()
            responses[index] = session.post(
                f"{url}/api/v1/applications",
                json=bodies[index],
                headers={"Idempotency-Key": keys[index]},
                timeout=(5, 60),
            )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return [response for response in responses if response is not None]


def test_same_key_posted_concurrently_creates_one_application(served_node):
    url, app = served_node
    responses = post_together(
        url, [application_request()] * PARALLEL, ["same-key-123456"] * PARALLEL
    )
    assert len(responses) == PARALLEL
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["tracking_code"] for response in responses}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_different_keys_posted_concurrently_all_succeed(served_node):
    url, app = served_node
    keys = [f"key-{index:04d}-abcdef" for index in range(PARALLEL)]
    responses = post_together(url, [application_request()] * PARALLEL, keys)
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["tracking_code"] for response in responses}) == PARALLEL
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == PARALLEL


def test_wrong_proofs_sent_together_are_counted_one_by_one_and_survive_a_restart(served_node):
    url, app = served_node
    code = post_together(url, [application_request()], ["lookup-key-123456"])[0].json()
    code = code["tracking_code"]
    guesses = 12
    barrier = threading.Barrier(guesses)
    statuses: list[int] = []

    def guess(index: int) -> None:
        with requests.Session() as session:
            barrier.wait()
            answer = session.post(
                f"{url}/api/v1/applications/{code}/lookup",
                json={"phone": f"09876543{index:02d}"},
                timeout=(5, 60),
            )
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    # Each guess is counted before its proof is checked: five are checked, the rest refused.
    assert sorted(statuses) == [404] * MAX_WRONG_PER_CODE + [429] * (guesses - MAX_WRONG_PER_CODE)
    # The counts live in the database: a restarted node (a new app on it) still refuses.
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    restarted = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": database_url}))
    restarted.config["FIXED_NOW"] = app.config["FIXED_NOW"]
    answer = restarted.test_client().post(
        f"/api/v1/applications/{code}/lookup", json={"phone": "0912345678"}
    )
    assert answer.status_code == 429
    with restarted.app_context():
        db.engine.dispose()
