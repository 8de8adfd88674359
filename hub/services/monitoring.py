"""What the hub's /metrics reports about its pulls (hub/metrics.py): counts read on a scrape."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.models.nodes import PullAttempt


def pull_counts(session: Session) -> dict[tuple[str, str], int]:
    """Every pull attempt ever recorded, by province and outcome (ok, not_modified, error)."""
    query = select(PullAttempt.province_code, PullAttempt.outcome, func.count()).group_by(
        PullAttempt.province_code, PullAttempt.outcome
    )
    return {(province, outcome): int(count) for province, outcome, count in session.execute(query)}
