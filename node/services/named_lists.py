"""Lists that name people or households (node only, never sent to the hub): their CSV and their
XLSX in the printed layout of the report files. The average-livelihood list and the low-income
workers' list are both written by one ``NamedList``; each module keeps only its query and words."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from node.services.report_files import named_list_xlsx
from node.services.reports import Column, ReportTable
from shared import units
from shared.spreadsheets import csv_writer


def numbered_rows(result: Iterable[Sequence[Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """A list query's rows as dicts of ``keys``, numbered from 1 (STT); the village's name ''
    where the household has none, the decision's date as ISO text."""
    rows = []
    for number, values in enumerate(result, 1):
        row = {"number": number, **dict(zip(keys, values, strict=True))}
        row["village"] = row["village"] or ""
        row["decided_on"] = row["decided_on"].isoformat()
        rows.append(row)
    return rows


@dataclass(frozen=True)
class NamedList:
    """A list's printed form: its code, audit action and file names, title and basis, the CSV's
    columns (keys and headings, raw values) and the XLSX's (keys and headings; commune names and
    dd/mm/yyyy dates)."""

    code: str
    action: str  # the audit log's action for reading it (personal data)
    file_stem: str  # its files' names: <stem>-<unit>-<period>.csv|xlsx
    title: Mapping[str, str]
    basis: Mapping[str, str]
    csv_keys: tuple[str, ...]
    csv_columns: Mapping[str, tuple[str, ...]]
    xlsx_columns: tuple[tuple[str, str, str], ...]  # key, Vietnamese, English
    # Codes a column holds, in words per language (a member's sex: "Nam", "Nữ").
    words: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)

    def _worded(self, row: dict[str, Any], lang: str) -> dict[str, Any]:
        if not self.words:
            return row
        return {**row, **{key: words[lang].get(row[key], row[key])
                          for key, words in self.words.items()}}  # fmt: skip

    def csv(self, rows: list[dict[str, Any]], lang: str = "vi") -> str:
        """The list as CSV (UTF-8 with a BOM for spreadsheet programs; no cell runs as a
        formula)."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv_writer(out)
        writer.writerow(self.csv_columns[lang])
        writer.writerows(
            [worded[key] for key in self.csv_keys]
            for worded in (self._worded(row, lang) for row in rows)
        )
        return out.getvalue()

    def xlsx(self, unit: str, period: int, rows: list[dict[str, Any]], today: date,
             lang: str = "vi") -> bytes:  # fmt: skip
        """The list as XLSX in the printed layout of the report files (the issuing agency, the
        title, the table with the counts as numbers, the place-and-date line, the signatures)."""
        heading = ReportTable(
            code=self.code,
            title=dict(self.title),
            unit_code=unit,
            unit_name=units.province(unit).name if units.is_province_code(unit)
            else units.commune(unit).name,
            period=period,
            columns=[Column(key, {"vi": vi, "en": en}) for key, vi, en in self.xlsx_columns],
            basis=dict(self.basis),
        )  # fmt: skip
        printed = (
            {**self._worded(row, lang), "commune": units.commune(row["commune_code"]).name,
             "decided_on": date.fromisoformat(row["decided_on"]).strftime("%d/%m/%Y")}
            for row in rows
        )  # fmt: skip
        out = named_list_xlsx(heading, printed, today, lang, numbered_form=False)
        try:
            return out.read()
        finally:
            out.close()
