"""The problems an import finds in a file, and the failure that lists them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from node.services.imports.columns import COLUMN_BY_KEY, COLUMNS


@dataclass(frozen=True, order=True)
class RowError:
    """A problem in the file: its spreadsheet row (header = 1; None: the file), the column."""

    row: int | None
    position: int  # the column's place in the template, to order a row's errors
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"dòng {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f'cột "{self.column}"')
        return f"{', '.join(where)}: {self.message}" if where else self.message


def row_error(
    row: int | None, key: str | None, message: str, header: str | None = None
) -> RowError:
    """The problem ``message`` at ``row`` in the column ``key`` (None: the whole row)."""
    column = COLUMN_BY_KEY[key] if key else None
    return RowError(
        row,
        COLUMNS.index(column) if column else -1,
        header if header is not None else (column.header if column else None),
        message,
    )


class ImportFailed(Exception):
    """The file has problems: nothing was written. ``errors`` are the first ones in row order,
    ``total`` counts them all."""

    def __init__(self, errors: Sequence[RowError], total: int) -> None:
        super().__init__(f"{total} problem(s) in the file")
        self.errors = list(errors)
        self.total = total


class Errors:
    """The first ``limit`` problems (in row order once sorted) and how many there are."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: list[RowError] = []
        self.total = 0

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(error)

    def merged(self, later: Iterable[RowError]) -> list[RowError]:
        """The first ``limit`` of these and ``later`` (both in row order), in row order."""
        return list(itertools.islice(sorted(itertools.chain(self.kept, later)), self.limit))
