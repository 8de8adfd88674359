"""Errors the services of both apps raise; shared.web turns each into one HTTP answer.

Pure (no Flask): services raise them, and the web layer maps ``status``, ``code``, ``fields``,
``details()`` and ``headers()`` to the JSON error contract or an error page, once for both apps.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A use-case refused; ``code`` is machine-readable, ``fields`` names bad inputs."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})

    def details(self) -> dict[str, Any]:
        """Extra members of the JSON error body, beside code, message and fields."""
        return {}

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries, on a page as in JSON (e.g. Retry-After)."""
        return {}


class ValidationFailed(ServiceError):
    """The input breaks a rule; ``fields`` maps each bad field path to a message."""

    status = 422
    code = "validation_failed"


class NotFound(ServiceError):
    """Nothing the caller may see has that identity."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    """The caller's role may not do this at all (inside their scope or not)."""

    status = 403
    code = "forbidden"


def require_role(principal: Any, *roles: str) -> None:
    """Raise Forbidden unless ``roles`` is empty or the principal (with a ``role``) has one."""
    if roles and principal.role not in roles:
        raise Forbidden(f"The role {principal.role} may not do this.")


class Conflict(ServiceError):
    """The request does not fit the record's current state (e.g. withdrawing a decided one)."""

    status = 409
    code = "conflict"

    def __init__(
        self, message: str, allowed: list[str] | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, fields)
        self.allowed = list(allowed or [])

    def details(self) -> dict[str, Any]:
        """A conflict lists the actions the record still allows."""
        return {"allowed_actions": self.allowed}


class TooManyAttempts(ServiceError):
    """Too many wrong guesses in a while: refused, right or wrong, until ``retry_after`` seconds
    have passed (HTTP 429 with Retry-After)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)

    def headers(self) -> dict[str, str]:
        """When to try again, in seconds."""
        return {"Retry-After": str(self.retry_after)}
