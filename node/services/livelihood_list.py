"""The list of farming, forestry, fishery and salt households with an average living standard
(hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình, Decision
24/2021 Art. 3): the households the chair recognised in a period with the class `average` and
such a main livelihood. Personal data: node only, never sent to the hub."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.households import Household, HouseholdStatus
from node.models.units import Village
from node.services.report_files import named_list_xlsx
from node.services.reports import Column, ReportTable, report_unit
from node.services.scopes import Official
from shared import units
from shared.spreadsheets import csv_writer


def average_livelihood_households(
    session: Session, official: Official, province_code: str, period: int, unit: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The unit the list is for (the official's commune or the province, scope checked) and its
    households by commune, village and head's name."""
    unit = report_unit(official, province_code, unit)
    s = HouseholdStatus
    query = (
        select(s.commune_code, Village.name, Household.head_name, s.members_count, s.decided_on)
        .join(Household, Household.id == s.household_id)
        .outerjoin(Village, Village.id == Household.village_id)
        .where(s.period == period, s.classification == "average", s.average_livelihood)
        .order_by(s.commune_code, Village.name, Household.head_name, Household.id)
    )
    if unit != province_code:
        query = query.where(s.commune_code == unit)
    rows = [
        {"number": number, "commune_code": commune, "village": village or "", "head_name": head,
         "members": members, "decided_on": decided_on.isoformat()}
        for number, (commune, village, head, members, decided_on)
        in enumerate(session.execute(query), 1)
    ]  # fmt: skip
    return unit, rows


CSV_COLUMNS = {
    "vi": ("STT", "Mã xã", "Thôn, bản, tổ dân phố", "Họ và tên chủ hộ", "Số nhân khẩu",
           "Ngày quyết định"),
    "en": ("No.", "Commune code", "Village", "Head of household", "Persons", "Decided on"),
}  # fmt: skip
CSV_KEYS = ("number", "commune_code", "village", "head_name", "members", "decided_on")


def list_csv(rows: list[dict[str, Any]], lang: str = "vi") -> str:
    """The list as CSV (UTF-8 with a BOM for spreadsheet programs; no cell runs as a formula)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS[lang])
    writer.writerows([row[key] for key in CSV_KEYS] for row in rows)
    return out.getvalue()


TITLE = {
    "vi": "Danh sách hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống "
    "trung bình",
    "en": "List of farming, forestry, fishery and salt households with an average living standard",
}
BASIS = {"vi": "Quyết định số 24/2021/QĐ-TTg, Điều 3", "en": "Decision 24/2021/QĐ-TTg, Art. 3"}
XLSX_COLUMNS = (
    ("number", "STT", "No."),
    ("commune", "Xã, phường, đặc khu", "Commune"),
    ("village", "Thôn, bản, tổ dân phố", "Village"),
    ("head_name", "Họ và tên chủ hộ", "Head of household"),
    ("members", "Số nhân khẩu", "Persons"),
    ("decided_on", "Ngày quyết định", "Decided on"),
)


def list_xlsx(unit: str, period: int, rows: list[dict[str, Any]], today: date, lang: str = "vi"
              ) -> bytes:  # fmt: skip
    """The list as XLSX in the printed layout of the report files (the issuing agency, the
    title, the table with the counts as numbers, the place-and-date line, the signatures)."""
    heading = ReportTable(
        code="DS-TB",
        title=TITLE,
        unit_code=unit,
        unit_name=units.province(unit).name if units.is_province_code(unit)
        else units.commune(unit).name,
        period=period,
        columns=[Column(key, {"vi": vi, "en": en}) for key, vi, en in XLSX_COLUMNS],
        basis=BASIS,
    )  # fmt: skip
    printed = (
        {**row, "commune": units.commune(row["commune_code"]).name,
         "decided_on": date.fromisoformat(row["decided_on"]).strftime("%d/%m/%Y")}
        for row in rows
    )  # fmt: skip
    out = named_list_xlsx(heading, printed, today, lang, numbered_form=False)
    try:
        return out.read()
    finally:
        out.close()
