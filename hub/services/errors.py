"""Errors the hub's services raise; the web, API and CLI layers turn each into one answer."""

from __future__ import annotations

from shared.errors import Forbidden, NotFound, ServiceError, ValidationFailed

__all__ = ["Forbidden", "NotFound", "ServiceError", "ValidationFailed"]
