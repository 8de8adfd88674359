"""Errors the services raise; the web and API layers turn each into one HTTP answer."""

from __future__ import annotations


class ServiceError(Exception):
    """A use-case refused; ``code`` is machine-readable, ``fields`` names bad inputs."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})


class ValidationFailed(ServiceError):
    """The input breaks a rule; ``fields`` maps each bad field path to a message."""

    status = 422
    code = "validation_failed"


class IdempotencyKeyReused(ServiceError):
    """The same Idempotency-Key came with a different request body."""

    status = 422
    code = "idempotency_key_reused"


class NotFound(ServiceError):
    """Nothing the caller may see has that identity."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The request does not fit the record's current state (e.g. withdrawing a decided one)."""

    status = 409
    code = "conflict"

    def __init__(
        self, message: str, allowed: list[str] | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, fields)
        self.allowed = list(allowed or [])
