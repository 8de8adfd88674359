"""Errors the node's services raise; the web and API layers turn each into one HTTP answer."""

from __future__ import annotations

from typing import Any

from shared.errors import Conflict, NotFound, ServiceError, ValidationFailed

__all__ = [
    "Conflict",
    "IdempotencyKeyReused",
    "NotFound",
    "Refusal",
    "ServiceError",
    "StaleVersion",
    "ValidationFailed",
]


class IdempotencyKeyReused(ServiceError):
    """The same Idempotency-Key came with a different request body."""

    status = 422
    code = "idempotency_key_reused"


class StaleVersion(Conflict):
    """Someone else changed the application after the form or request was made: nothing was done.

    A conflict like any other for programs (409, the allowed actions); its own type lets the
    officials' pages say "someone else acted first" without reading the message.
    """


class Refusal(str):
    """A field's refusal as the API says it (English), with its ``code`` and the values in it
    (``params``), so an officials' page can say the same in its own language."""

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str, **params: Any) -> Refusal:
        refusal = super().__new__(cls, text)
        refusal.code = code
        refusal.params = params
        return refusal
