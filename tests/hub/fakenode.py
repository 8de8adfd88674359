"""A stand-in for a provincial node: a real HTTP server on 127.0.0.1 serving signed snapshots.

The hub's fault cases need a node that misbehaves on purpose (bad JSON, a bad signature, the
wrong province, a 500, slowness), which a real node never does; the happy path is also tested
against real node processes (test_real_nodes.py).
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import units
from shared.schemas import ACTIVITY_FIELDS, COUNT_FIELDS, SCHEMA_VERSION, snapshot_id_of
from shared.schemas.binding import BINDING_HEADER, PERIOD_HEADER, binding_message

INDICATORS = ("employment", "health_insurance", "housing_quality", "drinking_water")
GENERATED_AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def make_snapshot(
    province_code: str,
    period: int = 2026,
    *,
    scale: int = 1,
    communes: int | None = None,
    suppressed: dict[str, list[str]] | None = None,
    generated_at: datetime = GENERATED_AT,
    version: int = SCHEMA_VERSION,
    official: dict[str, Any] | None = None,
    activity: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A valid snapshot with deterministic counts for the province's communes (or the first N):
    version 2 (``official`` as given, ``activity`` the same in every commune) or 1."""
    rows = []
    for index, commune in enumerate(units.communes(province_code)[:communes]):
        base = (index + 1) * scale
        row: dict[str, Any] = {"commune_code": commune.code}
        for offset, name in enumerate(COUNT_FIELDS):
            row[name] = base * (offset + 1)
        row["households_total"] = base * 1000
        row["deprived"] = {code: base + n for n, code in enumerate(INDICATORS)}
        row["suppressed"] = []
        if version == 2:
            row["activity"] = dict(activity or dict.fromkeys(ACTIVITY_FIELDS, base))
            row["projected"] = (
                {
                    "standard_id": "VN-2027-2030",
                    "households": base * 10,
                    "poor": base * 3,
                    "near_poor": base * 2,
                    "deprived": {"waste": base, "telecom": base * 2},
                    "current": {
                        "poor": base * 2,
                        "near_poor": base,
                        "deprived": {"information_access": base, "telecom": base},
                    },
                }
                if period <= 2026
                else None
            )
        for name in (suppressed or {}).get(commune.code, []):
            row[name] = None
            row["suppressed"].append(name)
        rows.append(row)
    content = {
        "schema_version": version,
        "province_code": province_code,
        "period": period,
        "standard_id": "VN-2022-2025" if period <= 2026 else "VN-2027-2030",
        "suppression_k": None,
        "rows": rows,
    }
    if version == 2:
        content["official"] = official
    return {
        **content,
        "snapshot_id": snapshot_id_of(content),
        "generated_at": generated_at.isoformat(),
    }


def encode(snapshot: dict[str, Any]) -> bytes:
    """The body as a node sends it: compact JSON, UTF-8."""
    return json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class FakeNode:
    """One fake node on its own port. Set ``mode`` to make it misbehave:

    ok · malformed · bad_signature · no_signature · wrong_province · error500 · flaky (``flaky``
    5xx answers first) · slow (``delay`` seconds before answering) · unknown_field · bad_hash ·
    huge (a body over the cap) · redirect; and against the binding of an answer to its pull:
    unbound (a node from before the binding) · bare_304 (a 304 without any header) ·
    always_304 (a bound 304 for its snapshot, whatever the hub holds) · replay
    (``replay``, an answer recorded in ``answers``, again byte for byte) · raw (``raw`` as the
    body, signed and bound). ``bind_as`` makes the binding sign something else than the truth:
    ``nonce``, ``province_code``, ``period``, ``snapshot_id`` or ``key``.
    """

    def __init__(self, province_code: str, token: str = "fake-node-token-0123456789") -> None:
        self.province_code = province_code
        self.token = token
        self.key = Ed25519PrivateKey.generate()
        self.snapshot = make_snapshot(province_code)
        self.mode = "ok"
        self.flaky = 0
        self.delay = 0.0
        self.bind_as: dict[str, Any] = {}
        self.raw = b""
        self.replay: tuple[int, dict[str, str], bytes] | None = None
        self.requests: list[dict[str, Any]] = []
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.node = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def public_key(self) -> str:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")

    @property
    def nonces(self) -> list[str | None]:
        """The nonce of every request received, in order."""
        return [request["headers"].get("x-giamngheo-nonce") for request in self.requests]

    def reset(self) -> None:
        with self._lock:
            self.mode, self.flaky, self.delay = "ok", 0, 0.0
            self.bind_as, self.raw, self.replay = {}, b"", None
            self.snapshot = make_snapshot(self.province_code)
            self.requests.clear()
            self.answers.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, headers: dict[str, str], query: str) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body for one request, by mode; recorded in ``answers``."""
        status, out, body = self._answer(headers, query)
        with self._lock:
            self.answers.append((status, dict(out), body))
        return status, out, body

    def _answer(self, headers: dict[str, str], query: str) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append({"headers": headers, "query": query})
            if self.flaky > 0:
                self.flaky -= 1
                return 503, {}, b"busy"
        mode, snapshot = self.mode, self.snapshot
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"Content-Type": "application/json"}, b'{"error": {}}'
        if mode == "slow":
            time.sleep(self.delay)
        if mode == "error500":
            return 500, {}, b"Internal Server Error"
        if mode == "redirect":
            return 302, {"Location": "http://example.invalid/"}, b""
        if mode == "replay" and self.replay is not None:
            return self.replay
        if mode == "bare_304":
            return 304, {}, b""
        nonce = headers.get("x-giamngheo-nonce")
        etag = f'"{snapshot["snapshot_id"]}"'
        if mode == "always_304" or (mode == "ok" and headers.get("if-none-match") == etag):
            return 304, self._bound({"ETag": etag}, nonce, snapshot), b""
        if mode == "wrong_province":
            snapshot = make_snapshot("79" if self.province_code != "79" else "01")
        elif mode == "unknown_field":
            snapshot = json.loads(json.dumps(snapshot))
            snapshot["rows"][0]["citizen_id"] = "001099012345"
            hashed = {k: v for k, v in snapshot.items() if k not in ("snapshot_id",)}
            snapshot["snapshot_id"] = snapshot_id_of(hashed)
        elif mode == "bad_hash":
            snapshot = {**snapshot, "snapshot_id": "0" * 64}
        body = encode(snapshot)
        if mode == "malformed":
            body = body[: len(body) // 2]
        elif mode == "huge":
            body = b'{"padding": "' + b"x" * (6 * 1024 * 1024) + b'"}'
        elif mode == "raw":
            body = self.raw
        signer = Ed25519PrivateKey.generate() if mode == "bad_signature" else self.key
        out = {"Content-Type": "application/json", "ETag": f'"{snapshot["snapshot_id"]}"'}
        if mode != "no_signature":
            out["X-Signature"] = base64.b64encode(signer.sign(body)).decode("ascii")
        if mode != "unbound":
            out = self._bound(out, nonce, snapshot)
        return 200, out, body

    def _bound(
        self, out: dict[str, str], nonce: str | None, snapshot: dict[str, Any]
    ) -> dict[str, str]:
        """``out`` with the period and, if the hub sent a nonce, the binding (as ``bind_as``)."""
        parts = {
            "nonce": nonce,
            "province_code": self.province_code,
            "period": snapshot["period"],
            "snapshot_id": snapshot["snapshot_id"],
            **self.bind_as,
        }
        key = parts.pop("key", self.key)
        out = {**out, PERIOD_HEADER: str(snapshot["period"])}
        if parts["nonce"] is not None:
            signature = key.sign(binding_message(**parts))
            out[BINDING_HEADER] = base64.b64encode(signature).decode("ascii")
        return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        node: FakeNode = self.server.node  # type: ignore[attr-defined]
        path, _, query = self.path.partition("?")
        if path != "/api/v1/aggregates":
            self._send(404, {}, b"")
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, out, body = node.answer(headers, query)
        # The hub may have given up waiting (read timeout).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(status, out, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass
