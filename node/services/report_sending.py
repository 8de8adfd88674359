"""What the monthly and the annual report's sending records share: who may mark a report as
sent to the province, and the one way a sending is written (once: a second time is a conflict,
and the unique key holds against two clicks at once; audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from node.extensions import db
from node.services import audit
from node.services.errors import Conflict
from node.services.scopes import COMMUNE_CHAIR, COMMUNE_OFFICER, Official
from shared.moments import as_utc

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


def sent_moment(
    session: Session, covers: InstrumentedAttribute[Any], commune: str | None, value: Any
) -> datetime | None:
    """When the commune sent its report on ``value`` (``covers``: the sending table's column
    of what a report is on, its month or period), or None."""
    table = covers.class_
    moment = session.scalar(
        select(table.sent_at).where(table.commune_code == commune, covers == value)
    )
    return as_utc(moment) if moment else None


def sent_by_commune(
    session: Session, covers: InstrumentedAttribute[Any], value: Any
) -> dict[str, datetime]:
    """Every commune's sending of its report on ``value``, by commune code."""
    table = covers.class_
    rows = session.execute(select(table.commune_code, table.sent_at).where(covers == value))
    return {commune: as_utc(moment) for commune, moment in rows}
