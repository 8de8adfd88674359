"""The review procedure's numbers as data (``procedure.json``): posting length, decision deadline,
meeting agreement threshold, review windows, whether the regular review holds a village meeting.
Each value carries its legal basis (document, article) and whether it is still provisional; the
node takes its defaults from here and shows the whole table to the province admin."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PROCEDURE_FILE = Path(__file__).parent / "procedure.json"


class ProcedureDataError(ValueError):
    """procedure.json is malformed (a release bug, caught by the tests)."""


@dataclass(frozen=True)
class ProcedureValue:
    """One number of the procedure with its legal basis."""

    key: str
    value: Any
    settings: tuple[str, ...]
    label: dict[str, str]
    unit: dict[str, str]
    document: str
    article: str | None
    provisional: bool
    note: dict[str, str] | None


@cache
def procedure_values() -> tuple[ProcedureValue, ...]:
    """Every value of procedure.json, in the file's order."""
    with PROCEDURE_FILE.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return tuple(_parse(entry) for entry in data["values"])


def procedure_value(key: str) -> Any:
    """The value ``key`` as the data gives it (KeyError for an unknown key)."""
    for entry in procedure_values():
        if entry.key == key:
            return entry.value
    raise KeyError(key)


def _parse(entry: dict[str, Any]) -> ProcedureValue:
    try:
        setting = entry["setting"]
        basis = entry["basis"]
        value = ProcedureValue(
            key=entry["key"],
            value=entry["value"],
            settings=tuple([setting] if isinstance(setting, str) else setting or ()),
            label=entry["label"],
            unit=entry["unit"],
            document=basis["document"],
            article=basis["article"],
            provisional=entry["provisional"],
            note=entry.get("note"),
        )
    except (KeyError, TypeError) as error:
        raise ProcedureDataError(f"procedure.json: bad entry {entry!r}: {error}") from None
    if not value.document or type(value.provisional) is not bool:
        raise ProcedureDataError(f"procedure.json: {value.key} needs a document and provisional")
    return value


__all__ = ["ProcedureDataError", "ProcedureValue", "procedure_value", "procedure_values"]
