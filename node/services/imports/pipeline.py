"""The import from file to tables: the stages in order, all or nothing."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from node.services import audit
from node.services.imports.checks import check_rows, row_errors
from node.services.imports.columns import MESSAGES
from node.services.imports.problems import Errors, ImportFailed, row_error
from node.services.imports.reading import header_errors, read_sheet, stage
from node.services.imports.tables import create_temporary_tables, drop_temporary_tables
from node.services.imports.terms import Plan, find_villages, store_terms
from node.services.imports.writing import write_households
from shared.standards import Standard

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    period: int
    standard_id: str
    households: int
    by_class: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


class Laps:
    """The seconds each stage took, in the order the stages ran."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        """The time since the last lap, as the stage ``name``."""
        self.timings[name] = time.perf_counter() - self.started - sum(self.timings.values())


def import_households(
    session: Session,
    path: Path,
    *,
    province_code: str,
    period: int,
    standard: Standard,
    today: date,
    now: datetime,
    max_errors: int = 200,
) -> ImportResult:
    """Import the households of ``path`` with their status for ``period``, all or nothing.

    Raises ImportFailed, having written nothing, if the file has any problem. Flushes, never
    commits. On PostgreSQL the households table is locked against other writers (SHARE ROW
    EXCLUSIVE) until the caller's transaction ends, so no household with the same ID number can
    appear between the check and the insert.
    """
    laps = Laps()
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    kind, distinct, errors = _read_and_stage(connection, path, max_errors, postgresql)
    laps.lap("read and stage")
    if postgresql:
        _lock_and_tune(connection)
    villages = find_villages(session, distinct.get("village", set()))
    plan = Plan.of(province_code, period, standard, villages)
    store_terms(connection, plan, distinct)
    laps.lap("check distinct values")
    check_rows(connection, postgresql)
    laps.lap("normalise rows")
    found = list(row_errors(connection, errors))
    laps.lap("find problems")
    if errors.total:
        drop_temporary_tables(connection)
        raise ImportFailed(errors.merged(found), errors.total)
    by_class = write_households(connection, plan, today, now, postgresql, laps.lap)
    households = sum(by_class.values())
    audit.record(
        session,
        None,
        "import_households",
        "household_list",
        None,
        now,
        role="system",
        details={"period": period, "households": households, "by_class": by_class,
                 "format": kind},
    )  # fmt: skip
    drop_temporary_tables(connection)
    laps.lap("audit")
    logger.info(
        "imported %d households for %d (%s); %s",
        households,
        period,
        kind,
        ", ".join(f"{name} {seconds:.2f} s" for name, seconds in laps.timings.items()),
    )
    return ImportResult(period, standard.id, households, by_class, laps.timings)


def _read_and_stage(
    connection: Connection, path: Path, max_errors: int, postgresql: bool
) -> tuple[str, dict[str, set[str]], Errors]:
    """The file's rows into import_rows: its kind, the distinct values of the per-value columns
    and the problems found so far; raises ImportFailed on a bad header or a file without rows."""
    sheet = read_sheet(path)
    try:
        problems = header_errors(sheet.headers)
        if problems:
            raise ImportFailed(problems[:max_errors], len(problems))
        create_temporary_tables(connection)
        errors = Errors(max_errors)
        staged, distinct = stage(connection, sheet, errors, postgresql)
    finally:
        sheet.close()
    if not staged and not errors.total:
        drop_temporary_tables(connection)
        raise ImportFailed([row_error(None, None, MESSAGES["no_rows"])], 1)
    return sheet.kind, distinct, errors


def _lock_and_tune(connection: Connection) -> None:
    """PostgreSQL: hold off other writers of households and size this transaction's work."""
    # Who else could add a household with one of these ID numbers now waits for this
    # transaction; readers (reports, the portal) do not.
    connection.execute(text("LOCK TABLE households IN SHARE ROW EXCLUSIVE MODE"))
    # Hash the big GROUP BY and joins in memory rather than on disk, and skip JIT: it
    # spends half a second compiling each of these run-once statements (this transaction
    # only).
    connection.execute(text("SET LOCAL work_mem = '256MB'"))
    connection.execute(text("SET LOCAL jit = off"))
