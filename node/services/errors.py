"""Errors the node's services raise; the web and API layers turn each into one HTTP answer."""

from __future__ import annotations

from typing import Any

from shared.errors import Conflict, NotFound, ServiceError, ValidationFailed

__all__ = [
    "Conflict",
    "GuardRefused",
    "HouseholdsRefused",
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


class GuardRefused(Conflict):
    """A step the record's state does not allow now — its status, or a guard of the procedure
    (the posting still running, a possible duplicate open, the opinion awaited): ``refusal``
    names which, with the dates in it, so a page can say it in its own words."""

    def __init__(self, message: str, refusal: Refusal, allowed: list[str] | None = None) -> None:
        super().__init__(message, allowed)
        self.refusal = refusal


class HouseholdsRefused(Conflict):
    """A batch (the chair's decision) refused whole, nothing written: every household that
    stands in the way, by application id, with why (``fields``: ``applications.<id>``)."""

    def __init__(self, message: str, refusals: dict[int, Refusal]) -> None:
        super().__init__(message, fields={f"applications.{key}": r for key, r in refusals.items()})
        self.refusals = refusals
