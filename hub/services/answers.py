"""Checking a node's answer to one pull: its binding to the pull, its signature, its snapshot.

Nothing a node sends is believed before the binding verifies: the node's Ed25519 signature over
this request's nonce, the registered province, the period and the snapshot id (the ETag)
(shared/schemas/binding.py). Only then the body's signature, the JSON, the wire schema, and that
the body is the snapshot the answer is bound to. Every fault raises Refused with a reason in the
hub's words, never repeating what the node sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.schemas import load_snapshot, snapshot_id_of
from shared.schemas.binding import BINDING_HEADER, PERIOD_HEADER, binding_message

_ETAG = re.compile(r'"([0-9a-f]{64})"', re.ASCII)
_PERIOD = re.compile(r"\d{4}", re.ASCII)
_SAFE_KEY = re.compile(r"[a-z0-9_]{1,40}")
NOT_BOUND = "The answer is not bound to this pull"


class Refused(Exception):
    """The pull failed for the reason given; the fetch turns it into an error outcome."""

    def __init__(self, reason: str, *, retry: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass(frozen=True)
class Bound:
    """What a verified binding vouches for: this pull's answer is about this period and snapshot."""

    period: int
    snapshot_id: str


def verify_binding(
    headers: Mapping[str, str],
    *,
    nonce: str,
    province_code: str,
    public_key: str,
    asked_period: int | None,
) -> Bound:
    """The period and snapshot id the node bound this answer to; raises Refused.

    ``headers`` are the answer's (a 200 or a 304); ``nonce`` is the one this request sent.
    """
    signature = headers.get(BINDING_HEADER)
    if not signature:
        raise Refused(
            f"{NOT_BOUND}: it has no {BINDING_HEADER} header (a node older than the binding "
            "must be upgraded)."
        )
    etag = _ETAG.fullmatch(headers.get("ETag", "").strip())
    period = _PERIOD.fullmatch(headers.get(PERIOD_HEADER, "").strip())
    if etag is None or period is None:
        raise Refused(f"{NOT_BOUND}: its ETag or {PERIOD_HEADER} header is missing or malformed.")
    bound = Bound(period=int(period.group()), snapshot_id=etag.group(1))
    try:
        message = binding_message(nonce, province_code, bound.period, bound.snapshot_id)
    except ValueError as error:
        raise Refused(f"{NOT_BOUND}: {error}.") from None
    if not _verifies(signature, message, public_key):
        raise Refused(
            f"{NOT_BOUND}: {BINDING_HEADER} does not verify for this request's nonce, province "
            f"{province_code}, period {bound.period} and snapshot {bound.snapshot_id[:12]} "
            "(an answer replayed, or meant for another request)."
        )
    if asked_period is not None and bound.period != asked_period:
        raise Refused(f"Asked for period {asked_period}, got {bound.period}.")
    return bound


def check_confirmation(bound: Bound, etag: str | None, etag_period: int | None) -> None:
    """A bound 304 counts only when it confirms the snapshot the hub holds; raises Refused."""
    if not etag:
        raise Refused("The node answered 304 Not Modified to a request without an ETag.")
    if bound.snapshot_id != etag or (etag_period is not None and bound.period != etag_period):
        raise Refused(
            f"The 304 confirms snapshot {bound.snapshot_id[:12]} of period {bound.period}, not "
            "the snapshot the hub holds."
        )


def checked_snapshot(
    body: bytes, signature: str | None, *, province_code: str, public_key: str, bound: Bound
) -> dict[str, Any]:
    """The snapshot in ``body`` once every check passed; raises Refused naming the first fault."""
    if not _verifies(signature, body, public_key):
        if not signature:
            raise Refused("The answer has no X-Signature header.")
        raise Refused(
            "The signature does not verify with the registered public key: the body was altered "
            "or signed by another key."
        )
    content = _json_object(body)
    try:
        load_snapshot(content)
    except ma.ValidationError as error:
        version = content.get("schema_version")
        name = f"v{version}" if version in (1, 2) and type(version) is int else "v1 or v2"
        raise Refused(f"The snapshot breaks AggregateSnapshot {name}: {_messages(error)}") from None
    if content["province_code"] != province_code:
        raise Refused(
            f"The snapshot is of province {content['province_code']}, but this node is "
            f"registered for {province_code}."
        )
    if (content["period"], content["snapshot_id"]) != (bound.period, bound.snapshot_id):
        raise Refused(
            f"The body is snapshot {content['snapshot_id'][:12]} of period {content['period']}, "
            f"not the one the answer is bound to ({bound.snapshot_id[:12]}, {bound.period})."
        )
    if snapshot_id_of(content) != content["snapshot_id"]:
        raise Refused("The snapshot_id is not the hash of the snapshot's content.")
    return content


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        content = json.loads(body)
    except RecursionError:
        # A snapshot is four levels deep; the decoder gives up long before the stack does.
        raise Refused("The body is nested too deeply to be a snapshot.") from None
    except (UnicodeDecodeError, ValueError):
        raise Refused("The body is not valid JSON.") from None
    if not isinstance(content, dict):
        raise Refused("The body is not a JSON object.")
    return content


def _verifies(signature: str | None, message: bytes, public_key: str) -> bool:
    """Whether ``signature`` (base64) is the registered key's Ed25519 signature of ``message``."""
    if not signature:
        return False
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(raw, message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


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
