"""The hub pulling real node processes (`giamngheo node run` on free local ports): the stored
figures are exactly what the nodes served, the second pull is a 304, every answer is bound to
its request, a node that goes down keeps its last good snapshot, and a rotated token is refused
until registered again."""

from __future__ import annotations

import json

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import select

from hub.cli import cli
from hub.extensions import db
from hub.models import PullAttempt, Snapshot
from hub.services import answers, stats
from shared.schemas import COUNT_FIELDS
from shared.schemas.binding import NONCE_HEADER, new_nonce
from shared.units import communes
from tests.hub.realnode import RealNode


@pytest.fixture(scope="module")
def real_nodes(tmp_path_factory):
    """Nodes of Lai Châu (12, with 300 synthetic households through the real review) and Hà Nội
    (01, empty), running for this module."""
    started = []
    try:
        for code, households in (("12", 300), ("01", 0)):
            node = RealNode(code, tmp_path_factory.mktemp(f"node{code}"))
            started.append(node.start(households=households))
        yield {node.province_code: node for node in started}
    finally:
        for node in started:
            node.stop()


@pytest.fixture
def patient_pulls(app, monkeypatch):
    """Real nodes build their first snapshot on request: give them time."""
    monkeypatch.setitem(app.config, "PULL_READ_TIMEOUT", 30.0)
    monkeypatch.setitem(app.config, "PULL_BACKOFF", 0.05)
    return app


def register(runner, node):
    result = runner.invoke(
        cli,
        ["register-node", "--province", node.province_code, "--url", node.url,
         "--token", node.token, "--public-key", node.public_key],
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def pull_lines(runner, *args):
    result = runner.invoke(cli, ["pull-now", *args])
    return result.exit_code, result.output.strip().splitlines()


def test_the_hub_stores_exactly_what_real_nodes_serve(
    real_nodes, runner, patient_pulls, db_session
):
    for node in real_nodes.values():
        register(runner, node)

    code, lines = pull_lines(runner)

    assert code == 0, lines
    assert [line.split()[:2] for line in lines] == [["01", "ok"], ["12", "ok"]]
    served = {}
    for province_code, node in real_nodes.items():
        response = node.aggregates()
        assert response.status_code == 200
        served[province_code] = json.loads(response.content)
        stored = db_session.scalar(
            select(Snapshot).where(
                Snapshot.province_code == province_code, Snapshot.is_current.is_(True)
            )
        )
        assert stored.snapshot_id == served[province_code]["snapshot_id"]
        assert response.headers["ETag"] == f'"{stored.snapshot_id}"'
        assert stored.body == served[province_code]
        assert {row["commune_code"] for row in stored.body["rows"]} == {
            commune.code for commune in communes(province_code)
        }
    period = served["12"]["period"]
    [national] = stats.stats(db_session, period=period, level="national")
    for name in COUNT_FIELDS:
        assert national[name] == sum(
            row[name] or 0 for body in served.values() for row in body["rows"]
        )
    by_commune = stats.stats(db_session, period=period, level="commune", code="12")
    assert [{name: item[name] for name in ("code", *COUNT_FIELDS)} for item in by_commune] == [
        {"code": row["commune_code"], **{name: row[name] for name in COUNT_FIELDS}}
        for row in sorted(served["12"]["rows"], key=lambda row: row["commune_code"])
    ]

    assert national["poor"] + national["near_poor"] > 0  # the seeded households counted

    code, lines = pull_lines(runner)

    assert code == 0, lines
    assert [line.split()[:2] for line in lines] == [["01", "not_modified"], ["12", "not_modified"]]
    assert all("http=304" in line for line in lines)


def test_a_real_nodes_200_and_304_are_bound_to_their_request_only(real_nodes):
    node = real_nodes["12"]

    def get(nonce, **headers):
        return requests.get(
            f"{node.url}api/v1/aggregates",
            headers={"Authorization": f"Bearer {node.token}", NONCE_HEADER: nonce, **headers},
            timeout=(5, 30),
        )

    def verify(response, nonce, province_code="12"):
        return answers.verify_binding(
            response.headers,
            nonce=nonce,
            province_code=province_code,
            public_key=node.public_key,
            asked_period=None,
        )

    nonce = new_nonce()
    served = get(nonce)
    bound = verify(served, nonce)
    assert bound.snapshot_id == json.loads(served.content)["snapshot_id"]
    for replayed, province_code in ((new_nonce(), "12"), (nonce, "01")):
        with pytest.raises(answers.Refused, match="not bound to this pull"):
            verify(served, replayed, province_code)

    again = new_nonce()
    confirmed = get(again, **{"If-None-Match": served.headers["ETag"]})

    assert confirmed.status_code == 304
    assert verify(confirmed, again) == bound
    with pytest.raises(answers.Refused, match="not bound to this pull"):
        verify(confirmed, nonce)


def test_no_personal_value_of_a_seeded_node_reaches_the_hub(
    real_nodes, runner, patient_pulls, db_session
):
    node = real_nodes["12"]
    personal = node.personal_values()
    assert len(personal) > 200  # names, IDs and phones of the seeded households
    register(runner, node)
    assert pull_lines(runner)[0] == 0

    stored = []
    for table in db.metadata.sorted_tables:
        for row in db_session.execute(sa.select(table)):
            stored.extend(str(value) for value in row if value is not None)
    text = "\n".join(stored)

    leaked = sorted(value for value in personal if len(value) >= 6 and value in text)
    assert leaked == []


def test_a_real_node_that_goes_down_keeps_its_last_good_snapshot(
    real_nodes, runner, patient_pulls, db_session, tmp_path
):
    node = RealNode("79", tmp_path / "node79").start()
    try:
        register(runner, node)
        register(runner, real_nodes["12"])
        assert pull_lines(runner)[0] == 0
        good = db_session.scalar(select(Snapshot.snapshot_id).where(Snapshot.province_code == "79"))
    finally:
        node.stop()

    code, lines = pull_lines(runner)

    assert code == 1
    assert lines[0].split()[:2] == ["12", "not_modified"]
    assert lines[1].split()[:2] == ["79", "error"]
    assert "Could not connect" in lines[1]
    current = db_session.scalar(
        select(Snapshot.snapshot_id).where(
            Snapshot.province_code == "79", Snapshot.is_current.is_(True)
        )
    )
    assert current == good
    outcomes = db_session.scalars(
        select(PullAttempt.outcome)
        .where(PullAttempt.province_code == "79")
        .order_by(PullAttempt.id)
    ).all()
    assert outcomes == ["ok", "error"]


def test_a_rotated_token_is_refused_until_registered_again(
    runner, patient_pulls, tmp_path, db_session
):
    node = RealNode("48", tmp_path / "node48").start()
    try:
        register(runner, node)
        old_token = node.token
        node.rotate_credentials()
        assert node.token != old_token

        refused = pull_lines(runner, "--province", "48")
        register(runner, node)
        accepted = pull_lines(runner, "--province", "48")
    finally:
        node.stop()

    assert refused[0] == 1
    assert "http=401" in refused[1][0]
    assert "refused the hub's token" in refused[1][0]
    assert accepted[0] == 0
    assert accepted[1][0].startswith("48 ok")
