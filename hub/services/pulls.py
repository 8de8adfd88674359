"""Pulling the nodes' aggregate snapshots (DESIGN §6): fetch, verify, validate, store.

A pull is two steps. ``fetch_snapshot`` talks to the node and touches no database: it sends the
registered token and the last snapshot id (If-None-Match), retries connection errors and 5xx
answers with exponential backoff and jitter, caps the body, verifies the Ed25519 signature over
the exact bytes, validates the JSON with AggregateSnapshotSchema (unknown fields refused) and
checks the province, the communes and the content hash. ``record_pull`` then writes the attempt
and, only if every check passed, the snapshot with its rows — all of it or none (a SAVEPOINT).
``pull_all`` fetches many nodes at once, so a slow or failing node delays none of the others,
and has the caller commit after each node.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import marshmallow as ma
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from requests.adapters import HTTPAdapter
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from hub.models.nodes import SUCCESSES, Node, PullAttempt
from hub.models.snapshots import Snapshot, SnapshotDeprivation, SnapshotRow
from hub.services.errors import NotFound
from hub.services.nodes import TokenCipher, TokenUnreadable
from shared import units
from shared.schemas import COUNT_FIELDS, AggregateSnapshotSchema, snapshot_id_of

logger = logging.getLogger(__name__)

AGGREGATES_PATH = "api/v1/aggregates"
USER_AGENT = "giamngheo-hub/1"
CHUNK_BYTES = 64 * 1024
MAX_ERROR_LENGTH = 500
_SAFE_KEY = re.compile(r"[a-z0-9_]{1,40}")
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
    etag: str | None
    period: int | None = None
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
    signature: str | None = field(default=None, repr=False)


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


class _Refused(Exception):
    """The pull failed for the reason given; the fetch turns it into an error outcome."""

    def __init__(self, reason: str, *, retry: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


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
    if period is None:
        etag = node.last_snapshot_id
    else:
        etag = session.scalar(
            select(Snapshot.snapshot_id).where(
                Snapshot.province_code == node.province_code,
                Snapshot.period == period,
                Snapshot.is_current.is_(True),
            )
        )
    return PullTarget(
        node_id=node.id,
        province_code=node.province_code,
        url=node.url,
        token=token,
        public_key=node.public_key,
        etag=etag,
        period=period,
        problem=problem,
    )


def fetch_snapshot(
    http: requests.Session,
    target: PullTarget,
    settings: PullSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """Pull one node's snapshot and check all of it; never raises for the node's faults."""
    fetched = Fetched(outcome=ERROR, started_at=datetime.now(UTC))
    started = time.monotonic()
    try:
        if target.problem or target.token is None:
            raise _Refused(target.problem or "No token is registered for this node.")
        _fetch(http, target, settings, fetched, sleep)
    except _Refused as refused:
        fetched.outcome = ERROR
        fetched.error = refused.reason[:MAX_ERROR_LENGTH]
        fetched.snapshot = None
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
        try:
            body = _request(http, url, params, headers, settings, fetched)
        except _Refused as refused:
            if refused.retry and retry < settings.retries:
                logger.info("Node %s: %s; retrying", target.province_code, refused.reason)
                continue
            raise
        if fetched.http_status == 304:
            if not target.etag:
                raise _Refused("The node answered 304 Not Modified to a request without an ETag.")
            fetched.outcome = NOT_MODIFIED
            fetched.snapshot_id = target.etag
            return
        fetched.snapshot = _checked_snapshot(body, fetched.signature, target)
        fetched.snapshot_id = fetched.snapshot["snapshot_id"]
        fetched.outcome = OK
        return


def _request(
    http: requests.Session,
    url: str,
    params: dict[str, str] | None,
    headers: dict[str, str],
    settings: PullSettings,
    fetched: Fetched,
) -> bytes:
    """One HTTP request: the body of a 200 (capped), b"" for a 304; raises _Refused."""
    timeout = (settings.connect_timeout, settings.read_timeout)
    try:
        response = http.get(
            url, params=params, headers=headers, timeout=timeout, stream=True, allow_redirects=False
        )
    except requests.ConnectTimeout:
        raise _Refused(
            f"Could not connect within {settings.connect_timeout:g} s.", retry=True
        ) from None
    except requests.ConnectionError as error:
        raise _Refused(f"Could not connect: {_reason(error)}.", retry=True) from None
    except requests.Timeout:
        # The node took the connection but did not answer in time: it is busy, and asking
        # again at once would make it busier. The next scheduled pull tries again.
        raise _Refused(f"No answer within {settings.read_timeout:g} s (read timeout).") from None
    except requests.RequestException as error:
        raise _Refused(f"The request failed: {_reason(error)}.") from None
    with response:
        fetched.http_status = response.status_code
        fetched.signature = response.headers.get("X-Signature")
        status = response.status_code
        if status == 304:
            return b""
        if status >= 500:
            raise _Refused(f"The node answered HTTP {status}.", retry=True)
        if status in (401, 403):
            raise _Refused(
                f"The node refused the hub's token (HTTP {status}); register the node again "
                "with a new token from `giamngheo node hub-credentials`."
            )
        if status != 200:
            raise _Refused(f"The node answered HTTP {status}, not 200 or 304.")
        return _read_body(response, settings, fetched)


def _read_body(response: requests.Response, settings: PullSettings, fetched: Fetched) -> bytes:
    limit = settings.max_bytes
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        fetched.bytes = int(declared)
        raise _Refused(f"The snapshot is {int(declared)} bytes, more than the {limit} allowed.")
    deadline = time.monotonic() + settings.read_timeout
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            fetched.bytes = size
            if size > limit:
                raise _Refused(f"The snapshot is more than the {limit} bytes allowed.")
            if time.monotonic() > deadline:
                raise _Refused(f"The body took longer than {settings.read_timeout:g} s to arrive.")
            chunks.append(chunk)
    except requests.RequestException as error:
        raise _Refused(f"The body did not arrive whole: {_reason(error)}.") from None
    return b"".join(chunks)


def _checked_snapshot(body: bytes, signature: str | None, target: PullTarget) -> dict[str, Any]:
    """The snapshot in ``body`` once every check passed; raises _Refused naming the first fault."""
    _verify_signature(body, signature, target.public_key)
    try:
        content = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise _Refused("The body is not valid JSON.") from None
    if not isinstance(content, dict):
        raise _Refused("The body is not a JSON object.")
    try:
        AggregateSnapshotSchema().load(content)
    except ma.ValidationError as error:
        raise _Refused(f"The snapshot breaks AggregateSnapshot v1: {_messages(error)}") from None
    if content["province_code"] != target.province_code:
        raise _Refused(
            f"The snapshot is of province {content['province_code']}, but this node is "
            f"registered for {target.province_code}."
        )
    if target.period is not None and content["period"] != target.period:
        raise _Refused(f"Asked for period {target.period}, got {content['period']}.")
    if snapshot_id_of(content) != content["snapshot_id"]:
        raise _Refused("The snapshot_id is not the hash of the snapshot's content.")
    strangers = [
        row["commune_code"]
        for row in content["rows"]
        if not units.is_commune_code(row["commune_code"])
        or units.commune(row["commune_code"]).province_code != target.province_code
    ]
    if strangers:
        raise _Refused(
            f"Communes not in province {target.province_code}: {', '.join(strangers[:5])}."
        )
    try:
        _parse_time(content["generated_at"])
    except ValueError:
        raise _Refused("generated_at is not an ISO 8601 date and time.") from None
    return content


def _verify_signature(body: bytes, signature: str | None, public_key: str) -> None:
    if not signature:
        raise _Refused("The answer has no X-Signature header.")
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _Refused("The X-Signature header is not base64.") from None
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(raw, body)
    except (InvalidSignature, ValueError):
        raise _Refused(
            "The signature does not verify with the registered public key: the body was altered "
            "or signed by another key."
        ) from None


def record_pull(
    session: Session, target: PullTarget, fetched: Fetched, *, now: datetime
) -> PullResult:
    """Write the attempt, update the node's status and store a good snapshot; flushes.

    The snapshot and its rows go in together or not at all: a failure while storing rolls back
    to a SAVEPOINT and the attempt is recorded as an error.
    """
    stored = False
    if fetched.outcome == OK and fetched.snapshot is not None:
        try:
            with session.begin_nested():
                stored = store_snapshot(session, fetched.snapshot, now=now)
        except SQLAlchemyError:
            logger.exception("Could not store the snapshot of node %s", target.province_code)
            fetched.outcome = ERROR
            fetched.error = "The snapshot passed every check but could not be stored."
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
    node = session.get(Node, target.node_id)
    if node is not None:
        node.last_attempt_at = fetched.started_at
        node.last_outcome = fetched.outcome
        node.last_http_status = fetched.http_status
        node.last_error = fetched.error
        if fetched.outcome in SUCCESSES:
            node.last_success_at = fetched.started_at
            if target.period is None:
                node.last_snapshot_id = fetched.snapshot_id
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


def store_snapshot(session: Session, content: dict[str, Any], *, now: datetime) -> bool:
    """Store a checked snapshot and make it current; False when it was stored before.

    Idempotent: (province_code, period, snapshot_id) is unique, and the same content again only
    becomes the current snapshot again.
    """
    code, period, snapshot_id = content["province_code"], content["period"], content["snapshot_id"]
    snapshot = session.scalar(
        select(Snapshot).where(
            Snapshot.province_code == code,
            Snapshot.period == period,
            Snapshot.snapshot_id == snapshot_id,
        )
    )
    created = snapshot is None
    if snapshot is None:
        snapshot = Snapshot(
            province_code=code,
            period=period,
            snapshot_id=snapshot_id,
            standard_id=content["standard_id"],
            generated_at=_parse_time(content["generated_at"]),
            received_at=now,
            confirmed_at=now,
            is_current=False,
            suppression_k=content.get("suppression_k"),
            body=content,
        )
        try:
            with session.begin_nested():
                session.add(snapshot)
        except IntegrityError:
            # Another pull of the same node stored it meanwhile.
            return store_snapshot(session, content, now=now)
        _insert_rows(session, snapshot, content)
    snapshot.confirmed_at = now
    # Clear the old current one first: the partial unique index allows one per province/period.
    session.execute(
        update(Snapshot)
        .where(
            Snapshot.province_code == code,
            Snapshot.period == period,
            Snapshot.is_current.is_(True),
            Snapshot.id != snapshot.id,
        )
        .values(is_current=False)
    )
    snapshot.is_current = True
    session.flush()
    if created:
        logger.info(
            "Stored snapshot %s of province %s, period %s (%d communes)",
            snapshot_id[:12],
            code,
            period,
            len(content["rows"]),
        )
    return created


def confirm_snapshot(
    session: Session, province_code: str, snapshot_id: str, *, now: datetime
) -> None:
    """Note that the node confirmed (304) that this snapshot is still its latest."""
    session.execute(
        update(Snapshot)
        .where(Snapshot.province_code == province_code, Snapshot.snapshot_id == snapshot_id)
        .values(confirmed_at=now)
    )


def _insert_rows(session: Session, snapshot: Snapshot, content: dict[str, Any]) -> None:
    keys = {
        "snapshot_pk": snapshot.id,
        "province_code": snapshot.province_code,
        "period": snapshot.period,
    }
    rows = [
        {**keys, "commune_code": row["commune_code"], **{name: row[name] for name in COUNT_FIELDS}}
        for row in content["rows"]
    ]
    deprivations = [
        {**keys, "commune_code": row["commune_code"], "indicator": code, "households": count}
        for row in content["rows"]
        for code, count in sorted(row["deprived"].items())
    ]
    if rows:
        session.execute(insert(SnapshotRow), rows)
    if deprivations:
        session.execute(insert(SnapshotDeprivation), deprivations)


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
            target = futures[future]
            fetched = future.result()
            try:
                results.append(record_pull(session, target, fetched, now=now()))
                commit()
            except SQLAlchemyError:
                session.rollback()
                logger.exception("Could not record the pull of node %s", target.province_code)
                results.append(
                    PullResult(
                        province_code=target.province_code,
                        outcome=ERROR,
                        http_status=fetched.http_status,
                        snapshot_id=None,
                        period=target.period,
                        bytes=fetched.bytes,
                        duration_ms=fetched.duration_ms,
                        tries=fetched.tries,
                        error="The hub could not record this pull.",
                    )
                )
    return sorted(results, key=lambda result: result.province_code)


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _path_part(key: object) -> str:
    # A key the node sent may be anything (even a name): only identifier-like keys are repeated.
    text = str(key)
    return text if _SAFE_KEY.fullmatch(text) else "<unexpected key>"


def _messages(error: ma.ValidationError) -> str:
    """A validation error's field paths and messages, short (never the values sent)."""
    flat: list[str] = []

    def walk(messages: object, path: str) -> None:
        if isinstance(messages, Mapping):
            for key, value in messages.items():
                part = _path_part(key)
                walk(value, f"{path}.{part}" if path else part)
        elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
            flat.append(f"{path}: {' '.join(messages)}")
        elif isinstance(messages, list | tuple):
            for index, value in enumerate(messages):
                walk(value, f"{path}.{index}")
        else:
            flat.append(f"{path}: {messages}")

    walk(error.messages, "")
    text = "; ".join(flat[:5])
    return text + (f"; and {len(flat) - 5} more" if len(flat) > 5 else "")


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
