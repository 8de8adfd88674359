"""The retention schedule (node/services/retention.json) and its application: each category of
data kept for its period, then deleted, anonymised or pseudonymised (issue 18).

``apply_retention`` runs every rule and returns, per category, what it did or — with
``dry_run`` — would do (the same queries count, nothing is written). It touches only what the
rules name: applications are anonymised in place (their row, status, commune, period and dates
stay, so counts of applications received, the tallies, the snapshots and the reports never
change); decisions, certificates and recognised households are official records and stay.
Like every service it flushes and never commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Select, delete, func, null, or_, select, update
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationEvent, IdempotencyKey
from node.models.audit import AuditEntry
from node.models.lookups import LookupAttempt
from node.models.requests import DataRequest
from node.models.review import Complaint, DuplicateFlag, Verification, VerificationIdentity
from node.models.snapshots import HubToken
from node.models.users import UserSession
from node.services import audit
from node.services.errors import ValidationFailed
from node.services.lookups import WINDOW
from shared.moments import as_utc

ACTIONS = ("delete", "anonymise", "pseudonymise", "none")


@dataclass(frozen=True)
class Rule:
    """One category of the schedule: kept ``keep_days`` (and, for applications, to the end of
    the period's archive time), then ``then``."""

    category: str
    keep_days: int
    then: str
    basis: str
    archive_years: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What one rule did, or would do: its action and how many records."""

    rule: Rule
    count: int

    def line(self, dry_run: bool) -> str:
        """One line of `giamngheo node retention`'s report."""
        verb = f"would {self.rule.then}" if dry_run else f"{self.rule.then}d"
        if self.rule.then == "none":
            verb = "nothing held on the node"
        kept = f"kept {self.rule.keep_days} days"
        if self.rule.archive_years is not None:
            kept += f", at least {self.rule.archive_years} years after the period"
        return f"{self.rule.category}: {verb}: {self.count} ({kept})"


@cache
def _schedule_file() -> dict[str, Any]:
    text = resources.files("node.services").joinpath("retention.json").read_text("utf-8")
    return json.loads(text)


def schedule(overrides: dict[str, int] | None = None) -> list[Rule]:
    """The schedule's rules, with the province's periods (``category → days``) in place of the
    defaults; an unknown category or a negative period is refused."""
    overrides = dict(overrides or {})
    rules = []
    for entry in _schedule_file()["categories"]:
        days = overrides.pop(entry["category"], entry["keep_days"])
        rules.append(
            Rule(
                entry["category"],
                days,
                entry["then"],
                entry["basis"],
                entry.get("archive_years"),
            )
        )
    if overrides:
        raise ValidationFailed(
            "Unknown retention category.", {"retention": ", ".join(sorted(overrides))}
        )
    return rules


def parse_overrides(text: str | None) -> dict[str, int]:
    """``GIAMNGHEO_RETENTION``: ``category=days`` pairs separated by commas."""
    found: dict[str, int] = {}
    known = {entry["category"] for entry in _schedule_file()["categories"]}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, days = part.partition("=")
        name, days = name.strip(), days.strip()
        if name not in known or not (days.isascii() and days.isdigit()) or int(days) > 36500:
            raise ValueError(
                f"GIAMNGHEO_RETENTION: {part.strip()!r} is not category=days (0 to 36500) "
                f"for one of {', '.join(sorted(known))}"
            )
        found[name] = int(days)
    return found


def apply_retention(
    session: Session, rules: list[Rule], now: datetime, *, dry_run: bool
) -> list[Outcome]:
    """Run (or, with ``dry_run``, count) every rule as of ``now``."""
    now = as_utc(now)
    outcomes = []
    for rule in rules:
        handler = HANDLERS[rule.category]
        outcomes.append(Outcome(rule, handler(session, rule, now, dry_run)))
    session.flush()
    return outcomes


def _count(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _delete(session: Session, model: Any, condition: Any, dry_run: bool) -> int:
    count = _count(session, select(model.id if hasattr(model, "id") else model).where(condition))
    if not dry_run and count:
        session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
    return count


def _idempotency_keys(session: Session, rule: Rule, now: datetime, dry_run: bool) -> int:
    cutoff = now - timedelta(days=rule.keep_days)
    return _delete(session, IdempotencyKey, IdempotencyKey.created_at <= cutoff, dry_run)


def _expired_sessions(session: Session, rule: Rule, now: datetime, dry_run: bool) -> int:
    cutoff = now - timedelta(days=rule.keep_days)
    ended = or_(UserSession.expires_at <= cutoff, UserSession.revoked_at <= cutoff)
    return _delete(session, UserSession, ended, dry_run)


def _revoked_hub_tokens(session: Session, rule: Rule, now: datetime, dry_run: bool) -> int:
    cutoff = now - timedelta(days=rule.keep_days)
    return _delete(session, HubToken, HubToken.revoked_at <= cutoff, dry_run)


def _lookup_attempts(session: Session, rule: Rule, now: datetime, dry_run: bool) -> int:
    cutoff = now - WINDOW - timedelta(days=rule.keep_days)
    condition = LookupAttempt.window_started_at <= cutoff
    count = _count(session, select(LookupAttempt.key).where(condition))
    if not dry_run and count:
        session.execute(delete(LookupAttempt).where(condition))
    return count


def _nothing(session: Session, rule: Rule, now: datetime, dry_run: bool) -> int:
    return 0


def _audit_entries(session: Session, rule: Rule, now: datetime, dry_run: bool) -> int:
    condition = (
        AuditEntry.at <= now - timedelta(days=rule.keep_days),
        AuditEntry.pseudonymised_at.is_(None),
    )
    count = _count(session, select(AuditEntry.id).where(*condition))
    if not dry_run and count:
        session.execute(
            update(AuditEntry)
            .where(*condition)
            .values(why=None, details=null(), pseudonymised_at=now)
            .execution_options(synchronize_session=False)
        )
    return count


def _applications(status_condition: Any) -> Any:
    def handler(session: Session, rule: Rule, now: datetime, dry_run: bool) -> int:
        # The period's archive time ends on 31 December of the period + archive_years.
        last_period = now.year - (rule.archive_years or 0) - 1
        due = (
            status_condition,
            Application.anonymised_at.is_(None),
            Application.updated_at <= now - timedelta(days=rule.keep_days),
            Application.period <= last_period,
        )
        ids = list(session.scalars(select(Application.id).where(*due)))
        if not dry_run and ids:
            anonymise_applications(session, ids, now)
        return len(ids)

    return handler


# The values the anonymised personal fields get (the columns that may not be empty get "").
BLANK_APPLICATION = {
    "applicant_name": "",
    "applicant_citizen_id": "",
    "applicant_phone": "",
    "declared_facts": {},
}


def anonymise_applications(session: Session, ids: list[int], now: datetime) -> None:
    """Remove what identifies the people of these applications, keeping the rows and what the
    counts read (status, outcome, commune, period, classes, dates)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            update(Application)
            .where(Application.id.in_(chunk))
            .values(**BLANK_APPLICATION, anonymised_at=now)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(ApplicationEvent)
            .where(ApplicationEvent.application_id.in_(chunk))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Verification)
            .where(Verification.application_id.in_(chunk))
            .values(facts={}, identities=[], head_address=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(VerificationIdentity).where(VerificationIdentity.application_id.in_(chunk))
        )
        session.execute(
            update(Complaint)
            .where(Complaint.application_id.in_(chunk))
            .values(complainant=None, content="")
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(DataRequest)
            .where(DataRequest.application_id.in_(chunk))
            .values(what_is_wrong=None, should_be=None, reason=None, answer=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(DuplicateFlag)
            .where(DuplicateFlag.application_id.in_(chunk))
            .values(citizen_id="", note=None)
            .execution_options(synchronize_session=False)
        )


HANDLERS = {
    "idempotency_keys": _idempotency_keys,
    "expired_sessions": _expired_sessions,
    "revoked_hub_tokens": _revoked_hub_tokens,
    "lookup_attempts": _lookup_attempts,
    "unsubmitted_drafts": _nothing,
    "withdrawn_applications": _applications(Application.status == "withdrawn"),
    "refused_applications": _applications(
        (Application.status == "decided") & (Application.outcome == "refused")
    ),
    "audit_entries": _audit_entries,
}


def record_run(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    """The run in the audit log: what each rule did, counts only."""
    audit.record(
        session,
        None,
        "apply_retention",
        "retention",
        None,
        now,
        details={outcome.rule.category: outcome.count for outcome in outcomes},
    )
