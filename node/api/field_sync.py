"""What the field app adds to the review's requests (issue 15), in one place for every route
that takes them: the device (``X-Device-Id``: a revoked one is refused) and the
Idempotency-Key that makes a queued change count once however often the phone sends it.

Both headers are optional, so the officials' pages and other programs call the same routes as
before; the field app always sends both.
"""

from __future__ import annotations

from typing import Any

from flask import request

from node.extensions import db
from node.services import field_work
from node.services.context import NodeContext
from node.services.scopes import Official
from shared.errors import ServiceError

DEVICE_HEADER = "X-Device-Id"
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_LENGTH = (8, 100)
REPLAYED = {"Idempotent-Replayed": "true"}

HEADERS_DOC = [
    {
        "in": "header",
        "name": IDEMPOTENCY_HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 8, "maxLength": 100},
        "description": "a random key per change (the field app's); a retry with it does nothing "
        "again and gets the answer of the first",
    },
    {
        "in": "header",
        "name": DEVICE_HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 32, "maxLength": 32},
        "description": "the field app's device (POST /api/v1/devices); a revoked one is "
        "refused with 403 device_revoked",
    },
]


def check_device(official: Official, context: NodeContext) -> None:
    """A request from the field app must come from the official's own, live device."""
    public_id = request.headers.get(DEVICE_HEADER)
    if public_id is not None:
        field_work.check_device(db.session, official, public_id, context)


def idempotency_key() -> str | None:
    """The request's Idempotency-Key, if it has one (a malformed one is a 400)."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    key = key.strip()
    low, high = IDEMPOTENCY_KEY_LENGTH
    if not low <= len(key) <= high or not key.isascii() or not key.isprintable():
        raise ServiceError(
            "The Idempotency-Key header is malformed.",
            {IDEMPOTENCY_HEADER: f"{low} to {high} printable ASCII characters"},
        )
    return key


class Once:
    """One change under an optional Idempotency-Key: ``done`` is what an earlier request with
    the key did (None the first time); ``keep`` remembers this one's answer."""

    def __init__(self, official: Official, action: str, target: int | None) -> None:
        self.official = official
        self.key = idempotency_key()
        body = request.get_json(silent=True)
        self.fingerprint = field_work.request_fingerprint(action, target, body)
        stored = (
            field_work.replayed(db.session, official, self.key, self.fingerprint)
            if self.key
            else None
        )
        self.done: dict[str, Any] | None = stored.response_body if stored else None

    def keep(
        self, answer: dict[str, Any], context: NodeContext, application_id: int | None = None
    ) -> None:
        if self.key:
            field_work.remember(db.session, self.official, self.key, self.fingerprint, answer,
                                context, application_id)  # fmt: skip
