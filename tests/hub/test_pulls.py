"""The pull service against fake nodes: store a good snapshot, 304, and every fault — each
recorded, the last good snapshot kept, and the other nodes still pulled."""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hub.models import Node, PullAttempt, Snapshot, SnapshotDeprivation, SnapshotRow
from hub.services import pulls
from hub.services.errors import NotFound
from hub.services.nodes import is_stale
from shared.schemas import COUNT_FIELDS
from shared.units import communes
from tests.hub.fakenode import make_snapshot


def attempts(session, code):
    return session.scalars(
        select(PullAttempt).where(PullAttempt.province_code == code).order_by(PullAttempt.id)
    ).all()


def current(session, code):
    return session.scalar(
        select(Snapshot).where(Snapshot.province_code == code, Snapshot.is_current.is_(True))
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_good_snapshot_is_verified_and_stored_with_its_rows(nodes, register, pull, db_session):
    node = nodes["12"]
    register(node)

    [result] = pull()

    assert result.outcome == "ok"
    assert result.http_status == 200
    assert result.stored
    snapshot = current(db_session, "12")
    assert snapshot.snapshot_id == node.snapshot["snapshot_id"]
    assert snapshot.body == node.snapshot
    assert snapshot.period == 2026
    rows = db_session.scalars(select(SnapshotRow).where(SnapshotRow.snapshot_pk == snapshot.id))
    by_code = {row.commune_code: row for row in rows}
    assert set(by_code) == {c.code for c in communes("12")}
    for sent in node.snapshot["rows"]:
        stored = by_code[sent["commune_code"]]
        assert {name: getattr(stored, name) for name in COUNT_FIELDS} == {
            name: sent[name] for name in COUNT_FIELDS
        }
    deprived = db_session.scalar(
        select(func.sum(SnapshotDeprivation.households)).where(
            SnapshotDeprivation.snapshot_pk == snapshot.id
        )
    )
    assert deprived == sum(sum(row["deprived"].values()) for row in node.snapshot["rows"])
    [attempt] = attempts(db_session, "12")
    assert attempt.outcome == "ok"
    assert attempt.bytes == len(
        json.dumps(node.snapshot, ensure_ascii=False, separators=(",", ":")).encode()
    )
    assert attempt.snapshot_id == node.snapshot["snapshot_id"]
    assert attempt.duration_ms >= 0


def test_the_second_pull_sends_the_etag_and_records_not_modified(nodes, register, pull, db_session):
    node = nodes["12"]
    register(node)
    pull()

    [result] = pull()

    assert result.outcome == "not_modified"
    assert result.http_status == 304
    assert node.requests[-1]["headers"]["if-none-match"] == f'"{node.snapshot["snapshot_id"]}"'
    assert node.requests[-1]["headers"]["authorization"] == f"Bearer {node.token}"
    assert [a.outcome for a in attempts(db_session, "12")] == ["ok", "not_modified"]
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 1
    registered = db_session.scalar(select(Node).where(Node.province_code == "12"))
    assert registered.last_outcome == "not_modified"
    assert registered.last_success_at is not None


def test_a_changed_snapshot_becomes_current_and_the_old_one_stays(
    nodes, register, pull, db_session
):
    node = nodes["12"]
    register(node)
    pull()
    first = node.snapshot["snapshot_id"]
    node.snapshot = make_snapshot("12", scale=2)

    [result] = pull()

    assert result.outcome == "ok"
    snapshots = db_session.scalars(select(Snapshot).order_by(Snapshot.id)).all()
    assert [(s.snapshot_id, s.is_current) for s in snapshots] == [
        (first, False),
        (node.snapshot["snapshot_id"], True),
    ]


def test_storing_the_same_snapshot_again_adds_nothing(nodes, register, pull, db_session):
    node = nodes["12"]
    register(node)
    pull()
    first = node.snapshot
    node.snapshot = make_snapshot("12", scale=3)
    pull()
    node.snapshot = first  # the node went back to the earlier figures

    [result] = pull()

    assert result.outcome == "ok"
    assert not result.stored
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 2
    assert current(db_session, "12").snapshot_id == first["snapshot_id"]
    rows = db_session.scalar(select(func.count()).select_from(SnapshotRow))
    assert rows == 2 * len(communes("12"))


FAULTS = {
    "malformed": "not valid JSON",
    "bad_signature": "signature does not verify",
    "no_signature": "no X-Signature",
    "wrong_province": "registered for 12",
    "error500": "HTTP 500",
    "unknown_field": "Unknown field",
    "bad_hash": "not the hash",
    "huge": "more than the",
    "redirect": "HTTP 302",
}


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_a_faulty_answer_is_recorded_and_the_last_good_snapshot_kept(
    mode, nodes, register, pull, db_session
):
    node, other = nodes["12"], nodes["01"]
    register(node)
    register(other)
    pull()
    good = current(db_session, "12").snapshot_id
    node.mode = mode
    node.snapshot = make_snapshot("12", scale=5)  # new figures, so no 304 hides the fault
    other.snapshot = make_snapshot("01", scale=7)

    results = {result.province_code: result for result in pull()}

    assert results["12"].outcome == "error"
    assert FAULTS[mode] in results["12"].error
    assert results["01"].outcome == "ok"
    assert current(db_session, "01").snapshot_id == other.snapshot["snapshot_id"]
    assert current(db_session, "12").snapshot_id == good
    assert (
        db_session.scalar(
            select(func.count()).select_from(Snapshot).where(Snapshot.province_code == "12")
        )
        == 1
    )
    last = attempts(db_session, "12")[-1]
    assert (last.outcome, last.snapshot_id) == ("error", None)
    assert FAULTS[mode] in last.error
    registered = db_session.scalar(select(Node).where(Node.province_code == "12"))
    assert registered.last_outcome == "error"
    assert registered.last_snapshot_id == good


def test_an_unknown_field_is_refused_without_repeating_its_value(nodes, register, pull):
    node = nodes["12"]
    register(node)
    node.mode = "unknown_field"

    [result] = pull()

    assert result.outcome == "error"
    assert "citizen_id" in result.error
    assert "001099012345" not in result.error


def test_a_5xx_is_retried_with_backoff_and_then_succeeds(nodes, register, pull):
    node = nodes["12"]
    register(node)
    node.flaky = 2

    [result] = pull()

    assert result.outcome == "ok"
    assert result.tries == 3
    assert len(node.requests) == 3


def test_retries_are_bounded(nodes, register, pull, db_session):
    node = nodes["12"]
    register(node)
    node.mode = "error500"

    [result] = pull()

    assert result.outcome == "error"
    assert result.tries == 3  # the first try and PULL_RETRIES = 2
    assert len(node.requests) == 3
    assert attempts(db_session, "12")[-1].tries == 3


def test_a_slow_node_times_out_and_delays_no_other(nodes, register, pull, db_session):
    slow, other = nodes["12"], nodes["01"]
    register(slow)
    register(other)
    slow.mode, slow.delay = "slow", 3.0

    started = time.monotonic()
    results = {result.province_code: result for result in pull()}
    elapsed = time.monotonic() - started

    assert results["12"].outcome == "error"
    assert "read timeout" in results["12"].error
    assert results["12"].tries == 1  # a read timeout is not retried at once
    assert results["01"].outcome == "ok"
    # The read timeout is 1 s: the slow node's 3 s are never waited for.
    assert elapsed < 2.9
    assert attempts(db_session, "01")[-1].outcome == "ok"


def test_a_node_that_is_down_is_recorded_and_the_others_pulled(nodes, register, pull, db_session):
    register(nodes["01"])
    register(
        province_code="79",
        url=f"http://127.0.0.1:{free_port()}/",
        token=nodes["79"].token,
        public_key=nodes["79"].public_key,
    )

    results = {result.province_code: result for result in pull()}

    assert results["79"].outcome == "error"
    assert "Could not connect" in results["79"].error
    assert results["79"].tries == 3
    assert results["79"].http_status is None
    assert results["01"].outcome == "ok"
    assert current(db_session, "79") is None


def test_a_wrong_token_is_reported_as_such(nodes, register, pull):
    register(nodes["12"], token="not-the-token-the-node-issued")

    [result] = pull()

    assert result.outcome == "error"
    assert result.http_status == 401
    assert "refused the hub's token" in result.error


def test_a_token_that_does_not_decrypt_fails_that_node_only(nodes, register, pull, db_session):
    register(nodes["12"])
    register(nodes["01"])
    node = db_session.scalar(select(Node).where(Node.province_code == "12"))
    node.token_encrypted = "written-under-another-secret"
    db_session.commit()

    results = {result.province_code: result for result in pull()}

    assert "cannot be decrypted" in results["12"].error
    assert results["12"].tries == 0
    assert results["01"].outcome == "ok"


def test_pull_asks_for_the_period_and_checks_it(nodes, register, pull):
    node = nodes["12"]
    register(node)

    [result] = pull(period=2025)

    assert node.requests[-1]["query"] == "period=2025"
    assert result.outcome == "error"
    assert "Asked for period 2025, got 2026" in result.error


def test_pulling_one_province(nodes, register, pull):
    register(nodes["12"])
    register(nodes["01"])

    results = pull(provinces=["01"])

    assert [result.province_code for result in results] == ["01"]
    assert nodes["12"].requests == []


def test_pulling_an_unregistered_province_is_refused(pull):
    with pytest.raises(NotFound, match="No node is registered for province 48"):
        pull(provinces=["48"])


def test_disabled_nodes_are_not_pulled(nodes, register, pull, db_session):
    register(nodes["12"])
    register(nodes["01"])
    db_session.scalar(select(Node).where(Node.province_code == "12")).enabled = False
    db_session.commit()

    assert [result.province_code for result in pull()] == ["01"]


def test_stale_after_three_intervals_without_success(nodes, register, pull, db_session):
    register(nodes["12"], interval_minutes=60)
    node = db_session.scalar(select(Node).where(Node.province_code == "12"))
    assert is_stale(node, datetime.now(UTC), 3)  # never pulled

    pull()
    db_session.refresh(node)
    succeeded = node.last_success_at

    assert not is_stale(node, succeeded + timedelta(hours=3), 3)
    assert is_stale(node, succeeded + timedelta(hours=3, seconds=1), 3)


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling():
    settings = pulls.PullSettings(backoff=1.0, backoff_max=5.0)

    delays = [[settings.backoff_delay(retry) for _ in range(50)] for retry in (1, 2, 3, 4)]

    assert all(0.5 <= d <= 1.0 for d in delays[0])
    assert all(1.0 <= d <= 2.0 for d in delays[1])
    assert all(2.0 <= d <= 4.0 for d in delays[2])
    assert all(2.5 <= d <= 5.0 for d in delays[3])
    assert len(set(delays[1])) > 1


def test_no_token_or_figure_reaches_the_logs(nodes, register, pull, caplog):
    node = nodes["12"]
    node.mode = "unknown_field"
    with caplog.at_level(logging.DEBUG):
        register(node)
        pull()
        node.mode = "ok"
        pull()

    assert "Stored snapshot" in caplog.text
    assert node.token not in caplog.text
    assert "001099012345" not in caplog.text
