"""Errors the services raise; the web, API and CLI layers turn each into one answer."""

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
    """The input breaks a rule; ``fields`` maps each bad field to a message."""

    status = 422
    code = "validation_failed"


class NotFound(ServiceError):
    """Nothing has that identity."""

    status = 404
    code = "not_found"
