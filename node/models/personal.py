"""Marking of personal-data columns (Decree 13/2023, Law on Personal Data Protection 2025).

A column holding a person's name, ID number, phone, address, birth date, ethnicity or free text
about them is declared with ``personal=True``; the privacy tests and the aggregate snapshot's
allowlist check read the list from the models, so a new column cannot slip past them unmarked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, MetaData
from sqlalchemy.orm import mapped_column

PERSONAL = "personal_data"


def personal_column(*args: Any, **kwargs: Any) -> Any:
    """``mapped_column`` for a column that holds personal data."""
    info = dict(kwargs.pop("info", {}))
    info[PERSONAL] = True
    return mapped_column(*args, info=info, **kwargs)


def personal_data_columns(metadata: MetaData) -> list[Column]:
    """Every column of ``metadata`` marked as personal data, ordered by table and name."""
    return sorted(
        (
            column
            for table in metadata.tables.values()
            for column in table.columns
            if column.info.get(PERSONAL)
        ),
        key=lambda column: (column.table.name, column.name),
    )
