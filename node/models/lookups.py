"""Wrong proofs counted per tracking code and per client address, so that guessing stops."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from shared.web.models import one_of

SCOPES = ("code", "client")


class LookupAttempt(db.Model):
    """The wrong proofs of one tracking code, or of one client address, in the current window.

    One row per (scope, key), updated in place by a single statement, so concurrent guesses
    are counted one by one (node.services.lookups). ``key`` is a SHA-256 of the normalised code
    or of the client's address (its /64 network for IPv6): the table holds neither. A row whose
    window has passed starts over at its next use; the scheduler deletes the old ones.
    """

    __tablename__ = "lookup_attempts"
    __table_args__ = (one_of("scope", SCOPES),)

    scope: Mapped[str] = mapped_column(String(6), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    failures: Mapped[int] = mapped_column(Integer)
