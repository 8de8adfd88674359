"""The list of low-income workers (danh sách người lao động có thu nhập thấp, Decree 30/2025
amending Decree 07/2021 Art. 3): the members the official assessment found to be low-income
workers in the households the chair recognised in a period. Personal data: node only, never sent
to the hub (which gets no count of them either: the snapshot's schema is unchanged)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.households import Household, HouseholdStatus, Member
from node.models.units import Village
from node.services.named_lists import NamedList, numbered_rows
from node.services.reports import report_unit
from node.services.scopes import Official


def low_income_workers(
    session: Session, official: Official, province_code: str, period: int, unit: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The unit the list is for (the official's commune or the province, scope checked) and its
    workers by commune, village, head's name and place in the household."""
    unit = report_unit(official, province_code, unit)
    s = HouseholdStatus
    query = (
        select(s.commune_code, Village.name, Member.full_name, Member.birth_date, Member.sex,
               Household.head_name, s.decided_on)
        .join(Household, Household.id == s.household_id)
        .join(Member, Member.household_id == Household.id)
        .outerjoin(Village, Village.id == Household.village_id)
        .where(s.period == period, s.low_income_workers > 0, Member.low_income_worker)
        .order_by(s.commune_code, Village.name, Household.head_name, Household.id,
                  Member.position)
    )  # fmt: skip
    if unit != province_code:
        query = query.where(s.commune_code == unit)
    keys = ("commune_code", "village", "full_name", "birth_year", "sex", "head_name",
            "decided_on")  # fmt: skip
    rows = numbered_rows(session.execute(query), keys)
    for row in rows:
        row["birth_year"] = row["birth_year"].year  # the list shows the year of birth only
    return unit, rows


LOW_INCOME_WORKERS = NamedList(
    code="DS-LĐTNT",
    action="list_low_income_workers",
    file_stem="nguoi-lao-dong-thu-nhap-thap",
    title={
        "vi": "Danh sách người lao động có thu nhập thấp",
        "en": "List of low-income workers",
    },
    basis={
        "vi": "Nghị định số 07/2021/NĐ-CP, Điều 3 (sửa đổi bởi Nghị định số 30/2025/NĐ-CP)",
        "en": "Decree 07/2021/NĐ-CP, Art. 3 (amended by Decree 30/2025/NĐ-CP)",
    },
    csv_keys=("number", "commune_code", "village", "full_name", "birth_year", "sex", "head_name",
              "decided_on"),
    csv_columns={
        "vi": ("STT", "Mã xã", "Thôn, bản, tổ dân phố", "Họ và tên người lao động", "Năm sinh",
               "Giới tính", "Họ và tên chủ hộ", "Ngày quyết định"),
        "en": ("No.", "Commune code", "Village", "Worker's full name", "Birth year", "Sex",
               "Head of household", "Decided on"),
    },
    xlsx_columns=(
        ("number", "STT", "No."),
        ("commune", "Xã, phường, đặc khu", "Commune"),
        ("village", "Thôn, bản, tổ dân phố", "Village"),
        ("full_name", "Họ và tên người lao động", "Worker's full name"),
        ("birth_year", "Năm sinh", "Birth year"),
        ("sex", "Giới tính", "Sex"),
        ("head_name", "Họ và tên chủ hộ", "Head of household"),
        ("decided_on", "Ngày quyết định", "Decided on"),
    ),
    words={"sex": {"vi": {"male": "Nam", "female": "Nữ"},
                   "en": {"male": "Male", "female": "Female"}}},
)  # fmt: skip
