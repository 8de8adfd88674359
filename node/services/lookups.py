"""The applicant's own lookups — status, withdrawal, their data — limited so that guessing a
tracking code's proof (the phone or ID number given at submission) stops.

Wrong proofs are counted in the database (``lookup_attempts``), like the officials' sign-in
lockout, and survive a restart: after MAX_WRONG_PER_CODE wrong proofs for one tracking code
within WINDOW, that code answers 429 with Retry-After — to the right proof too — until its
window passes; after MAX_WRONG_PER_CLIENT wrong proofs from one client address, whatever codes
they named, so does every lookup from that address. The per-address limit is generous because
many residents share one address behind a mobile carrier's NAT; an IPv6 client is counted by
its /64 network, which one subscriber gets whole.

A window starts at its first attempt and lasts WINDOW; the next attempt after it starts a new
one. Each attempt is counted **before** its proof is checked, by one statement per counter that
reads and raises the count together (an INSERT … ON CONFLICT DO UPDATE … RETURNING): concurrent
guesses wait for each other's row lock (PostgreSQL) or write lock (SQLite), so no burst gets
more checks than the limit. An attempt whose proof is right, or that is refused unchecked,
gives its count back: only wrong proofs are kept. A code the node does not know is counted like
a known one, so the limit tells nobody which codes exist.

Like every service, this flushes and never commits; a wrong proof raises NotFound after its
count is written, and the caller must commit that count although the answer is an error.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.lookups import LookupAttempt
from node.services.applications import find_application
from node.services.tracking import normalize_tracking_code
from shared.errors import TooManyAttempts
from shared.moments import as_utc

logger = logging.getLogger(__name__)

MAX_WRONG_PER_CODE = 5
MAX_WRONG_PER_CLIENT = 30
WINDOW = timedelta(minutes=15)
# An IPv6 client is counted by this network (a subscriber's usual delegation).
IPV6_CLIENT_PREFIX = 64

ATTEMPTS: Table = LookupAttempt.__table__
TOO_MANY = (
    "Too many wrong phone or ID numbers for this tracking code or from this address; "
    "try again later."
)


@dataclass(frozen=True)
class Counter:
    """One count an attempt goes into: its scope ("code" or "client"), key and limit."""

    scope: str
    key: str
    limit: int


def counters(tracking_code: str, client: str | None) -> list[Counter]:
    """The counts an attempt on ``tracking_code`` from ``client`` goes into: the code's (when
    it is a well-formed code, whatever its case or dashes) and the client address's."""
    found = []
    code = normalize_tracking_code(tracking_code)
    if code is not None:
        found.append(Counter("code", _digest("code", code), MAX_WRONG_PER_CODE))
    found.append(Counter("client", _digest("client", client_network(client)), MAX_WRONG_PER_CLIENT))
    return found


def client_network(address: str | None) -> str:
    """The address an attempt is counted under: IPv4 as is, IPv6 by its /64 network."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False))
    return str(parsed)


def _digest(scope: str, value: str) -> str:
    # The table keeps neither codes nor addresses, only what tells them apart.
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()


def find_for_applicant(
    session: Session,
    tracking_code: str,
    *,
    client: str | None,
    now: datetime,
    phone: str | None = None,
    citizen_id: str | None = None,
) -> Application:
    """The application with this code, if the proof matches; each attempt counted first.

    Raises TooManyAttempts (429, Retry-After) while the code or the client is over its limit,
    and NotFound for a wrong proof or an unknown code alike — after counting it, so the caller
    commits even then.
    """
    now = as_utc(now)
    taken: list[Counter] = []
    for counter in counters(tracking_code, client):
        failures, window_started_at = _take(session, counter, now)
        taken.append(counter)
        if failures > counter.limit:
            _give_back(session, taken)
            retry_after = as_utc(window_started_at) + WINDOW - now
            logger.info("lookups refused: too many wrong proofs per %s", counter.scope)
            raise TooManyAttempts(TOO_MANY, math.ceil(retry_after.total_seconds()))
    # A wrong proof raises NotFound here with its counts kept.
    application = find_application(session, tracking_code, phone=phone, citizen_id=citizen_id)
    _give_back(session, taken)
    return application


def _take(session: Session, counter: Counter, now: datetime) -> tuple[int, datetime]:
    """Count one attempt (a new window when the last one has passed): the count and the
    window's start, read in the same statement."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    passed = ATTEMPTS.c.window_started_at <= now - WINDOW
    statement = (
        dialect.insert(ATTEMPTS)
        .values(scope=counter.scope, key=counter.key, window_started_at=now, failures=1)
        .on_conflict_do_update(
            index_elements=[ATTEMPTS.c.scope, ATTEMPTS.c.key],
            set_={
                "failures": case((passed, 1), else_=ATTEMPTS.c.failures + 1),
                "window_started_at": case((passed, now), else_=ATTEMPTS.c.window_started_at),
            },
        )
        .returning(ATTEMPTS.c.failures, ATTEMPTS.c.window_started_at)
    )
    failures, window_started_at = session.execute(statement).one()
    return failures, window_started_at


def _give_back(session: Session, taken: list[Counter]) -> None:
    """Take back the counts of an attempt that was right, or refused without a check."""
    for counter in taken:
        session.execute(
            update(ATTEMPTS)
            .where(
                ATTEMPTS.c.scope == counter.scope,
                ATTEMPTS.c.key == counter.key,
                ATTEMPTS.c.failures > 0,
            )
            .values(failures=ATTEMPTS.c.failures - 1)
        )


def prune_lookup_attempts(session: Session, now: datetime) -> int:
    """Delete the counts whose window has passed (they would start over anyway)."""
    result = session.execute(
        ATTEMPTS.delete().where(ATTEMPTS.c.window_started_at <= as_utc(now) - WINDOW)
    )
    return result.rowcount or 0
