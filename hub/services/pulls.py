"""Pulling the nodes' aggregate snapshots (DESIGN §6): fetch, verify, validate, store.

A pull is two steps. ``fetch_snapshot`` talks to the node and touches no database: it sends the
registered token, the snapshot id it holds (If-None-Match) and a fresh nonce with every request,
retries connection errors and 5xx answers with exponential backoff and jitter, verifies that the
answer is bound to this very request, caps the body, and checks the snapshot (hub.services.answers:
signature over the exact bytes, wire schema, province, period, content hash). ``record_pull``
then writes the attempt and, only if every check passed and the snapshot is not older than the
current one, the snapshot with its rows — all of it or none (a SAVEPOINT). ``pull_all`` fetches
many nodes at once, so a slow or failing node delays none of the others, and has the caller
commit after each node. Whatever goes wrong with one node — even an error no check foresaw — is
that node's failed attempt; the run goes on.
"""

from __future__ import annotations

import logging
import random
import re
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models.nodes import SUCCESSES, Node, PullAttempt
from hub.models.snapshots import Snapshot
from hub.services.answers import (
    Bound,
    Refused,
    check_confirmation,
    checked_snapshot,
    verify_binding,
)
from hub.services.errors import NotFound
from hub.services.nodes import TokenCipher, TokenUnreadable
from hub.services.storing import Signed, SnapshotRefused, confirm_snapshot, store_snapshot
from shared.schemas.binding import NONCE_HEADER, new_nonce

logger = logging.getLogger(__name__)

AGGREGATES_PATH = "api/v1/aggregates"
USER_AGENT = "giamngheo-hub/1"
CHUNK_BYTES = 64 * 1024
MAX_ERROR_LENGTH = 500
_OBJECT_PREFIX = re.compile(r"^<[^>]*>: ")
OK = "ok"
NOT_MODIFIED = "not_modified"
ERROR = "error"


@dataclass(frozen=True)
class PullSettings:
    """Timeouts (seconds), retries and backoff, the body cap and the parallelism of pulls."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    backoff_max: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    workers: int = 8

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PullSettings:
        """The settings in an app's config (PULL_*)."""
        return cls(
            connect_timeout=float(config["PULL_CONNECT_TIMEOUT"]),
            read_timeout=float(config["PULL_READ_TIMEOUT"]),
            retries=int(config["PULL_RETRIES"]),
            backoff=float(config["PULL_BACKOFF"]),
            backoff_max=float(config["PULL_BACKOFF_MAX"]),
            max_bytes=int(config["PULL_MAX_BYTES"]),
            workers=int(config["PULL_WORKERS"]),
        )

    def backoff_delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1, 2, …): exponential, full jitter."""
        ceiling = min(self.backoff_max, self.backoff * 2 ** (retry - 1))
        # "Full jitter": nodes that failed together do not all come back at the same moment.
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (timing, not security)


@dataclass(frozen=True)
class PullTarget:
    """What a pull needs to know of a node, read from the registry before any network."""

    node_id: int
    province_code: str
    url: str
    token: str | None
    public_key: str
    # The id of the current snapshot the hub holds for the period asked (or the node's last),
    # sent as If-None-Match: a 304 must be bound to it and to its period.
    etag: str | None
    period: int | None = None
    etag_period: int | None = None
    # Why the pull cannot even start (e.g. the stored token does not decrypt).
    problem: str | None = None


@dataclass
class Fetched:
    """What one pull brought back: a verified, validated snapshot, a 304, or an error."""

    outcome: str
    started_at: datetime
    duration_ms: int = 0
    tries: int = 0
    http_status: int | None = None
    bytes: int = 0
    error: str | None = None
    snapshot_id: str | None = None
    snapshot: dict[str, Any] | None = field(default=None, repr=False)
    # The exact bytes and their signature, kept so that anyone can check published figures.
    signed: Signed | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PullResult:
    """The outcome of pulling one node, as recorded."""

    province_code: str
    outcome: str
    http_status: int | None
    snapshot_id: str | None
    period: int | None
    bytes: int
    duration_ms: int
    tries: int
    error: str | None
    stored: bool = False


def http_session(settings: PullSettings) -> requests.Session:
    """One requests.Session for a run of pulls, with a connection pool per worker."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=settings.workers, pool_maxsize=settings.workers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def load_targets(
    session: Session,
    cipher: TokenCipher,
    *,
    provinces: Iterable[str] | None = None,
    period: int | None = None,
) -> list[PullTarget]:
    """The enabled nodes to pull (or the named ones, enabled or not); raises NotFound."""
    query = select(Node).order_by(Node.province_code)
    wanted = sorted(set(provinces)) if provinces is not None else None
    if wanted is None:
        query = query.where(Node.enabled.is_(True))
    else:
        query = query.where(Node.province_code.in_(wanted))
    nodes = list(session.scalars(query))
    if wanted is not None and (missing := sorted(set(wanted) - {n.province_code for n in nodes})):
        raise NotFound(f"No node is registered for province {', '.join(missing)}.")
    return [_target(session, cipher, node, period) for node in nodes]


def _target(session: Session, cipher: TokenCipher, node: Node, period: int | None) -> PullTarget:
    token, problem = None, None
    try:
        token = cipher.decrypt(node.token_encrypted)
    except TokenUnreadable as error:
        problem = str(error)
    # The snapshot the hub holds as current: of the period asked, or the node's last one (still
    # current). A 304 must confirm exactly that one.
    row = None
    if period is not None or node.last_snapshot_id:
        held = select(Snapshot.snapshot_id, Snapshot.period).where(
            Snapshot.province_code == node.province_code,
            Snapshot.is_current.is_(True),
            Snapshot.period == period
            if period is not None
            else Snapshot.snapshot_id == node.last_snapshot_id,
        )
        row = session.execute(held.limit(1)).first()
    return PullTarget(
        node_id=node.id,
        province_code=node.province_code,
        url=node.url,
        token=token,
        public_key=node.public_key,
        etag=row.snapshot_id if row else None,
        period=period,
        etag_period=row.period if row else None,
        problem=problem,
    )


def fetch_snapshot(
    http: requests.Session,
    target: PullTarget,
    settings: PullSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """Pull one node's snapshot and check all of it; never raises (but for BaseException)."""
    fetched = Fetched(outcome=ERROR, started_at=datetime.now(UTC))
    started = time.monotonic()
    try:
        if target.problem or target.token is None:
            raise Refused(target.problem or "No token is registered for this node.")
        _fetch(http, target, settings, fetched, sleep)
    except Refused as refused:
        _failed(fetched, refused.reason)
    except Exception as error:
        # No check foresaw it (a RecursionError, a MemoryError, a bug): still this node's
        # failed attempt, and never the end of the run.
        _failed(fetched, f"The hub could not check the answer ({unexpected(error)}).")
    finally:
        fetched.duration_ms = round((time.monotonic() - started) * 1000)
    if fetched.outcome == ERROR:
        logger.warning(
            "Pull of node %s failed after %d tries: %s",
            target.province_code,
            fetched.tries,
            fetched.error,
        )
    return fetched


def _failed(fetched: Fetched, reason: str) -> None:
    fetched.outcome = ERROR
    fetched.error = reason[:MAX_ERROR_LENGTH]
    fetched.snapshot = None
    fetched.snapshot_id = None


def unexpected(error: BaseException) -> str:
    """An unforeseen error, named by its type and where it was raised — never its message,
    which could repeat what the node sent."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return (
        f"{type(error).__name__} in {last.name}, {last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
    )


def _fetch(
    http: requests.Session,
    target: PullTarget,
    settings: PullSettings,
    fetched: Fetched,
    sleep: Callable[[float], None],
) -> None:
    url = urljoin(target.url, AGGREGATES_PATH)
    params = {"period": str(target.period)} if target.period is not None else None
    headers = {"Authorization": f"Bearer {target.token}", "Accept": "application/json"}
    if target.etag:
        headers["If-None-Match"] = f'"{target.etag}"'
    for retry in range(settings.retries + 1):
        if retry:
            sleep(settings.backoff_delay(retry))
        fetched.tries += 1
        # A fresh nonce for every request, retries included: the answer must be bound to it.
        headers[NONCE_HEADER] = new_nonce()
        try:
            bound, body, signature = _request(http, url, params, headers, target, settings, fetched)
        except Refused as refused:
            if refused.retry and retry < settings.retries:
                logger.info("Node %s: %s; retrying", target.province_code, refused.reason)
                continue
            raise
        if fetched.http_status == 304:
            check_confirmation(bound, target.etag, target.etag_period)
            fetched.outcome = NOT_MODIFIED
            fetched.snapshot_id = target.etag
            return
        fetched.snapshot = checked_snapshot(
            body,
            signature,
            province_code=target.province_code,
            public_key=target.public_key,
            bound=bound,
        )
        fetched.snapshot_id = fetched.snapshot["snapshot_id"]
        # Checked above: the bytes are UTF-8 JSON and the signature verifies with this key.
        fetched.signed = Signed(body.decode("utf-8"), (signature or "").strip(), target.public_key)
        fetched.outcome = OK
        return


def _request(
    http: requests.Session,
    url: str,
    params: dict[str, str] | None,
    headers: dict[str, str],
    target: PullTarget,
    settings: PullSettings,
    fetched: Fetched,
) -> tuple[Bound, bytes, str | None]:
    """One HTTP request: what the verified binding vouches for, the body of a 200 (capped) or
    b"" for a 304, and the body's X-Signature; raises Refused."""
    timeout = (settings.connect_timeout, settings.read_timeout)
    try:
        response = http.get(
            url, params=params, headers=headers, timeout=timeout, stream=True, allow_redirects=False
        )
    except requests.ConnectTimeout:
        raise Refused(
            f"Could not connect within {settings.connect_timeout:g} s.", retry=True
        ) from None
    except requests.ConnectionError as error:
        raise Refused(f"Could not connect: {_reason(error)}.", retry=True) from None
    except requests.Timeout:
        # The node took the connection but did not answer in time: it is busy, and asking
        # again at once would make it busier. The next scheduled pull tries again.
        raise Refused(f"No answer within {settings.read_timeout:g} s (read timeout).") from None
    except requests.RequestException as error:
        raise Refused(f"The request failed: {_reason(error)}.") from None
    with response:
        fetched.http_status = status = response.status_code
        if status >= 500:
            raise Refused(f"The node answered HTTP {status}.", retry=True)
        if status in (401, 403):
            raise Refused(
                f"The node refused the hub's token (HTTP {status}); register the node again "
                "with a new token from `giamngheo node hub-credentials`."
            )
        if status not in (200, 304):
            raise Refused(f"The node answered HTTP {status}, not 200 or 304.")
        # Before anything else the node says is believed, and before its body is read.
        bound = verify_binding(
            response.headers,
            nonce=headers[NONCE_HEADER],
            province_code=target.province_code,
            public_key=target.public_key,
            asked_period=target.period,
        )
        if status == 304:
            return bound, b"", None
        return bound, _read_body(response, settings, fetched), response.headers.get("X-Signature")


def _read_body(response: requests.Response, settings: PullSettings, fetched: Fetched) -> bytes:
    limit = settings.max_bytes
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        fetched.bytes = int(declared)
        raise Refused(f"The snapshot is {int(declared)} bytes, more than the {limit} allowed.")
    deadline = time.monotonic() + settings.read_timeout
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            fetched.bytes = size
            if size > limit:
                raise Refused(f"The snapshot is more than the {limit} bytes allowed.")
            if time.monotonic() > deadline:
                raise Refused(f"The body took longer than {settings.read_timeout:g} s to arrive.")
            chunks.append(chunk)
    except requests.RequestException as error:
        raise Refused(f"The body did not arrive whole: {_reason(error)}.") from None
    return b"".join(chunks)


def record_pull(
    session: Session, target: PullTarget, fetched: Fetched, *, now: datetime
) -> PullResult:
    """Write the attempt, update the node's status and store a good snapshot; flushes.

    The snapshot and its rows go in together or not at all: a snapshot older than the current
    one, or any failure while storing, rolls back to a SAVEPOINT and the attempt is recorded as
    an error.
    """
    # Locked first (PostgreSQL): two pulls of one node at once (the scheduler and pull-now) are
    # recorded one after the other, so the older snapshot cannot become current by finishing last.
    node = session.get(Node, target.node_id, with_for_update=True)
    stored = False
    if fetched.outcome == OK and fetched.snapshot is not None:
        stored = _store(session, target, fetched, now)
    elif fetched.outcome == NOT_MODIFIED and fetched.snapshot_id:
        confirm_snapshot(session, target.province_code, fetched.snapshot_id, now=now)
    period = fetched.snapshot["period"] if fetched.snapshot else target.period
    session.add(
        PullAttempt(
            node_id=target.node_id,
            province_code=target.province_code,
            period=target.period,
            started_at=fetched.started_at,
            duration_ms=fetched.duration_ms,
            tries=fetched.tries,
            http_status=fetched.http_status,
            bytes=fetched.bytes,
            outcome=fetched.outcome,
            error=fetched.error,
            snapshot_id=fetched.snapshot_id if fetched.outcome in SUCCESSES else None,
        )
    )
    if node is not None:
        _note(node, target, fetched)
    session.flush()
    return PullResult(
        province_code=target.province_code,
        outcome=fetched.outcome,
        http_status=fetched.http_status,
        snapshot_id=fetched.snapshot_id if fetched.outcome in SUCCESSES else None,
        period=period,
        bytes=fetched.bytes,
        duration_ms=fetched.duration_ms,
        tries=fetched.tries,
        error=fetched.error,
        stored=stored,
    )


def _store(session: Session, target: PullTarget, fetched: Fetched, now: datetime) -> bool:
    """Store the fetched snapshot under a SAVEPOINT; on refusal or failure, the pull failed."""
    try:
        with session.begin_nested():
            return store_snapshot(session, fetched.snapshot, now=now, signed=fetched.signed)
    except SnapshotRefused as refused:
        _failed(fetched, refused.reason)
    except Exception as error:
        logger.error(
            "Could not store the snapshot of node %s: %s", target.province_code, unexpected(error)
        )
        _failed(
            fetched,
            f"The snapshot passed every check but could not be stored ({unexpected(error)}).",
        )
    return False


def _note(node: Node, target: PullTarget, fetched: Fetched) -> None:
    """The node's summary of its latest attempts (what the freshness board reads)."""
    node.last_attempt_at = fetched.started_at
    node.last_outcome = fetched.outcome
    node.last_http_status = fetched.http_status
    node.last_error = fetched.error
    if fetched.outcome in SUCCESSES:
        node.last_success_at = fetched.started_at
        if target.period is None:
            node.last_snapshot_id = fetched.snapshot_id


def pull_all(
    session: Session,
    http: requests.Session,
    settings: PullSettings,
    cipher: TokenCipher,
    *,
    commit: Callable[[], None],
    now: Callable[[], datetime],
    provinces: Iterable[str] | None = None,
    period: int | None = None,
) -> list[PullResult]:
    """Pull the enabled nodes (or the named ones) at once; results in province order.

    The caller owns the transaction and passes ``commit``: it is called once the registry is
    read (so no transaction stays open across the network) and after each node's result is
    recorded, so one node's failure never undoes or delays another's.
    """
    targets = load_targets(session, cipher, provinces=provinces, period=period)
    commit()
    results: list[PullResult] = []
    if not targets:
        return results
    with ThreadPoolExecutor(max_workers=max(1, min(settings.workers, len(targets)))) as pool:
        futures = {
            pool.submit(fetch_snapshot, http, target, settings): target for target in targets
        }
        for future in as_completed(futures):
            results.append(_record(session, futures[future], future, commit=commit, now=now))
    return sorted(results, key=lambda result: result.province_code)


def _record(
    session: Session,
    target: PullTarget,
    future: Future[Fetched],
    *,
    commit: Callable[[], None],
    now: Callable[[], datetime],
) -> PullResult:
    """Record one node's pull and commit; whatever fails, a failed attempt of that node."""
    try:
        fetched = future.result()
    except Exception as error:  # fetch_snapshot catches all; should that ever fail, still.
        fetched = Fetched(outcome=ERROR, started_at=datetime.now(UTC))
        _failed(fetched, f"The hub could not pull this node ({unexpected(error)}).")
    try:
        result = record_pull(session, target, fetched, now=now())
        commit()
        return result
    except Exception as error:
        session.rollback()
        logger.error(
            "Could not record the pull of node %s: %s", target.province_code, unexpected(error)
        )
        _failed(fetched, f"The hub could not record this pull ({unexpected(error)}).")
    try:
        # What went wrong, recorded without the snapshot (a new transaction).
        result = record_pull(session, target, fetched, now=now())
        commit()
        return result
    except Exception as error:
        session.rollback()
        logger.error(
            "Could not record the failure of node %s: %s", target.province_code, unexpected(error)
        )
        return PullResult(
            province_code=target.province_code,
            outcome=ERROR,
            http_status=fetched.http_status,
            snapshot_id=None,
            period=target.period,
            bytes=fetched.bytes,
            duration_ms=fetched.duration_ms,
            tries=fetched.tries,
            error=fetched.error,
        )


def _reason(error: BaseException) -> str:
    """The innermost cause of a requests error, short (e.g. "Connection refused")."""
    cause = error
    for _ in range(10):
        inner = getattr(cause, "reason", None)
        if inner is None and cause.args and isinstance(cause.args[0], BaseException):
            inner = cause.args[0]
        if not isinstance(inner, BaseException) or inner is cause:
            break
        cause = inner
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    return _OBJECT_PREFIX.sub("", str(cause))[:200]
