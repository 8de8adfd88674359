"""The pull service against fake nodes: store a good snapshot, 304, and every fault — each
recorded, the last good snapshot kept, and the other nodes still pulled."""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from hub.cli import cli
from hub.models import Node, PullAttempt, Snapshot, SnapshotDeprivation, SnapshotRow
from hub.services import answers, pulls, storing
from hub.services.errors import NotFound
from hub.services.nodes import is_stale
from shared.schemas import COUNT_FIELDS, snapshot_id_of
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
            SnapshotDeprivation.kind == "current", SnapshotDeprivation.snapshot_pk == snapshot.id
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


# Issue 12: the hub cannot be fed old or foreign figures.

LATER = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def node_row(session, code):
    return session.scalar(select(Node).where(Node.province_code == code))


def test_replaying_an_older_answer_byte_for_byte_does_not_roll_the_figures_back(
    nodes, register, pull, db_session
):
    node = nodes["12"]
    register(node)
    pull()
    older = node.answers[-1]  # status, headers (signature, binding) and body, as sent
    node.snapshot = make_snapshot("12", scale=2, generated_at=LATER)
    pull()
    newer = node.snapshot["snapshot_id"]
    node.mode, node.replay = "replay", older

    [result] = pull()

    assert result.outcome == "error"
    assert "not bound to this pull" in result.error
    assert current(db_session, "12").snapshot_id == newer


def test_an_older_snapshot_never_replaces_the_current_one(nodes, register, pull, db_session):
    node = nodes["12"]
    register(node)
    node.snapshot = make_snapshot("12", scale=2, generated_at=LATER)
    pull()
    newer = node.snapshot["snapshot_id"]
    succeeded = node_row(db_session, "12").last_success_at
    # Freshly bound, but generated before the hub's current one (a node restored from a backup,
    # or a slower pull of the same node finishing last).
    node.snapshot = make_snapshot("12", scale=3)

    [result] = pull()

    assert result.outcome == "error"
    assert "older than the current snapshot" in result.error
    assert current(db_session, "12").snapshot_id == newer
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 1
    db_session.expire_all()
    assert node_row(db_session, "12").last_success_at == succeeded
    assert attempts(db_session, "12")[-1].outcome == "error"


def test_the_same_figures_generated_again_later_are_current_with_their_new_time(
    nodes, register, pull, db_session
):
    node = nodes["12"]
    register(node)
    pull()
    first = node.snapshot["snapshot_id"]
    node.snapshot = make_snapshot("12", scale=2, generated_at=LATER)
    pull()
    # The figures went back to the first ones: the node builds them again, later.
    node.snapshot = make_snapshot("12", generated_at=LATER + timedelta(days=1))

    [result] = pull()

    assert (result.outcome, result.stored) == ("ok", False)
    stored = current(db_session, "12")
    assert stored.snapshot_id == first
    assert stored.body == node.snapshot
    assert storing.parse_time(stored.body["generated_at"]) == LATER + timedelta(days=1)
    # So an answer generated between the two (LATER) is older now, not newer.
    node.snapshot = make_snapshot("12", scale=2, generated_at=LATER)
    assert pull()[0].outcome == "error"
    assert current(db_session, "12").snapshot_id == first


def test_a_snapshot_from_the_future_is_refused(nodes, register, pull, db_session):
    node = nodes["12"]
    register(node)
    node.snapshot = make_snapshot("12", generated_at=datetime.now(UTC) + timedelta(days=2))

    [result] = pull()

    assert result.outcome == "error"
    assert "in the future" in result.error
    assert current(db_session, "12") is None


def test_a_bare_304_is_a_failed_pull_and_does_not_keep_the_node_fresh(
    nodes, register, pull, db_session
):
    node = nodes["12"]
    register(node, interval_minutes=60)
    pull()
    succeeded = node_row(db_session, "12").last_success_at
    node.mode = "bare_304"

    [result] = pull()

    assert result.outcome == "error"
    assert result.http_status == 304
    assert "not bound to this pull" in result.error
    db_session.expire_all()
    registered = node_row(db_session, "12")
    assert registered.last_success_at == succeeded
    assert registered.last_outcome == "error"
    assert is_stale(registered, succeeded + timedelta(hours=3, seconds=1), 3)
    assert [a.outcome for a in attempts(db_session, "12")] == ["ok", "error"]


# What a node's binding may sign instead of this pull: each is refused, on the 200 and the 304.
BINDING_FAULTS = {
    "an earlier request's nonce": "nonce",
    "another period": {"period": 2025},
    "another province": {"province_code": "01"},
    "another snapshot": {"snapshot_id": "f" * 64},
    "another key": {"key": Ed25519PrivateKey.generate()},
}


@pytest.mark.parametrize("status", [200, 304])
@pytest.mark.parametrize("fault", sorted(BINDING_FAULTS))
def test_an_answer_bound_to_anything_but_this_pull_is_refused(
    fault, status, nodes, register, pull, db_session
):
    node = nodes["12"]
    register(node)
    pull()
    held = node.snapshot["snapshot_id"]
    succeeded = node_row(db_session, "12").last_success_at
    if status == 200:
        node.snapshot = make_snapshot("12", scale=2, generated_at=LATER)
    change = BINDING_FAULTS[fault]
    node.bind_as = {"nonce": node.nonces[0]} if change == "nonce" else change

    [result] = pull()

    assert (result.outcome, result.http_status) == ("error", status)
    assert "not bound to this pull" in result.error
    assert current(db_session, "12").snapshot_id == held
    db_session.expire_all()
    assert node_row(db_session, "12").last_success_at == succeeded


@pytest.mark.parametrize("status", [200, 304])
def test_a_node_that_does_not_bind_its_answers_is_refused(
    status, nodes, register, pull, db_session
):
    node = nodes["12"]
    register(node)
    pull()
    if status == 200:
        node.snapshot = make_snapshot("12", scale=2, generated_at=LATER)
        node.mode = "unbound"
    else:
        node.bind_as = {"nonce": None}  # a 304 with its ETag, but no binding

    [result] = pull()

    assert (result.outcome, result.http_status) == ("error", status)
    assert "X-Giamngheo-Binding" in result.error


def test_a_304_for_another_snapshot_than_the_one_held_is_refused(nodes, register, pull, db_session):
    node = nodes["12"]
    register(node)
    pull()
    held = node.snapshot["snapshot_id"]
    succeeded = node_row(db_session, "12").last_success_at
    # Correctly bound, but it confirms a snapshot the hub does not hold.
    node.snapshot = make_snapshot("12", scale=4, generated_at=LATER)
    node.mode = "always_304"

    [result] = pull()

    assert (result.outcome, result.http_status) == ("error", 304)
    assert "not the snapshot the hub holds" in result.error
    assert current(db_session, "12").snapshot_id == held
    db_session.expire_all()
    assert node_row(db_session, "12").last_success_at == succeeded


def test_every_request_carries_a_fresh_nonce_of_at_least_128_bits(nodes, register, pull):
    node = nodes["12"]
    register(node)
    node.flaky = 2
    pull()
    pull()

    nonces = node.nonces

    assert len(nonces) == 4  # three tries, then the 304
    assert None not in nonces
    assert len(set(nonces)) == 4
    for nonce in nonces:
        assert len(base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))) >= 16


def test_a_signed_snapshot_carrying_free_text_is_refused_without_repeating_it(
    nodes, register, pull, db_session, caplog
):
    node = nodes["12"]
    register(node)
    snapshot = make_snapshot("12", communes=2)
    snapshot["standard_id"] = "Nguyễn Văn An"
    snapshot["rows"][0]["suppressed"] = ["Nguyễn Văn An 001099012345"]
    snapshot["snapshot_id"] = snapshot_id_of(snapshot)
    node.snapshot = snapshot

    with caplog.at_level(logging.DEBUG):
        [result] = pull()

    assert result.outcome == "error"
    assert "standard_id" in result.error
    assert "rows.0.suppressed" in result.error
    assert current(db_session, "12") is None
    for text in (result.error, caplog.text):
        assert "Nguyễn" not in text
        assert "001099012345" not in text


DEEP = 100_000
# Bodies signed and bound by the node, that no snapshot check expects.
BREAKING_BODIES = {
    "deeply nested": b"[" * DEEP + b"]" * DEEP,
    "5 MB of nesting": b"[" * (5 * 1024 * 1024 // 2) + b"]" * (5 * 1024 * 1024 // 2),
    "nested objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "valid JSON, a list": b"[1, 2, 3]",
    "valid JSON, a string": b'"rows"',
    "valid JSON, null": b"null",
    "a number of 5,000 digits": b'{"schema_version": ' + b"9" * 5000 + b"}",
    "not UTF-8": b'{"province_code": "\xff\xfe"}',
}


@pytest.mark.parametrize("kind", sorted(BREAKING_BODIES))
def test_a_body_that_breaks_the_checks_fails_that_node_only(
    kind, nodes, register, pull, db_session
):
    node, other = nodes["12"], nodes["01"]
    register(node)
    register(other)
    node.mode, node.raw = "raw", BREAKING_BODIES[kind]

    results = {result.province_code: result for result in pull()}

    assert results["12"].outcome == "error"
    assert results["01"].outcome == "ok"
    last = attempts(db_session, "12")[-1]
    assert last.outcome == "error"
    assert last.error
    assert current(db_session, "12") is None
    assert current(db_session, "01") is not None


def test_any_failure_while_checking_a_node_is_its_failed_attempt(
    nodes, register, pull, db_session, monkeypatch
):
    register(nodes["12"])
    register(nodes["01"])

    def broken(content):
        if content["province_code"] == "12":
            raise MemoryError
        return snapshot_id_of(content)

    monkeypatch.setattr(answers, "snapshot_id_of", broken)

    results = {result.province_code: result for result in pull()}

    assert results["12"].outcome == "error"
    assert "MemoryError" in results["12"].error
    assert results["01"].outcome == "ok"
    assert attempts(db_session, "12")[-1].outcome == "error"


def test_any_failure_while_storing_a_node_is_its_failed_attempt(
    nodes, register, pull, db_session, monkeypatch
):
    register(nodes["12"])
    register(nodes["01"])
    real = pulls.store_snapshot

    def broken(session, content, *, now, signed=None):
        if content["province_code"] == "12":
            raise RuntimeError("the disk is full")
        return real(session, content, now=now, signed=signed)

    monkeypatch.setattr(pulls, "store_snapshot", broken)

    results = {result.province_code: result for result in pull()}

    assert results["12"].outcome == "error"
    assert results["01"].outcome == "ok"
    [attempt] = attempts(db_session, "12")
    assert attempt.outcome == "error"
    assert attempt.error
    assert current(db_session, "12") is None


def test_pull_now_goes_on_after_a_node_that_breaks_the_checks_and_names_it(
    runner, nodes, register, fast_pulls
):
    register(nodes["12"])
    register(nodes["01"])
    nodes["12"].mode, nodes["12"].raw = "raw", BREAKING_BODIES["deeply nested"]

    result = runner.invoke(cli, ["pull-now"])

    lines = result.output.strip().splitlines()
    assert result.exit_code == 1
    assert [line.split()[:2] for line in lines] == [["01", "ok"], ["12", "error"]]
    assert "nested" in lines[1]
