"""What the monthly and the annual report's sending records share: who may mark a report as
sent to the province, and the one way a sending is written (once: a second time is a conflict,
and the unique key holds against two clicks at once; audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from node.extensions import db
from node.services import audit
from node.services.errors import Conflict
from node.services.scopes import COMMUNE_CHAIR, COMMUNE_OFFICER, Official

SENDERS = (COMMUNE_OFFICER, COMMUNE_CHAIR)
ALREADY_SENT = "This report was already sent to the province."


def record_sending(
    session: Session,
    official: Official,
    sending: db.Model,
    action: str,
    now: datetime,
    details: dict[str, Any],
) -> None:
    """Write ``sending`` (its row's unique key is the commune and what it reports on) and audit
    it as ``action``; Conflict when that report was already sent, even a moment ago."""
    try:
        with session.begin_nested():
            session.add(sending)
            session.flush()
    except IntegrityError:
        raise Conflict(ALREADY_SENT) from None
    audit.record(session, official, action, sending.__tablename__.removesuffix("s"), sending.id,
                 now, details=details)  # fmt: skip


def as_utc(moment: datetime) -> datetime:
    """A stored moment in UTC (SQLite gives it back without its zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
