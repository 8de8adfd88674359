"""Errors the node's services raise; the web and API layers turn each into one HTTP answer."""

from __future__ import annotations

from shared.errors import Conflict, NotFound, ServiceError, ValidationFailed

__all__ = ["Conflict", "IdempotencyKeyReused", "NotFound", "ServiceError", "ValidationFailed"]


class IdempotencyKeyReused(ServiceError):
    """The same Idempotency-Key came with a different request body."""

    status = 422
    code = "idempotency_key_reused"
