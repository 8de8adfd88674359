"""Errors the node's services raise; the web and API layers turn each into one HTTP answer."""

from __future__ import annotations

from shared.errors import Conflict, NotFound, ServiceError, ValidationFailed

__all__ = [
    "Conflict",
    "IdempotencyKeyReused",
    "NotFound",
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
