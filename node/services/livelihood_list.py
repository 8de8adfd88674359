"""The list of farming, forestry, fishery and salt households with an average living standard
(hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình, Decision
24/2021 Art. 3): the households the chair recognised in a period with the class `average` and
such a main livelihood. Personal data: node only, never sent to the hub."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.households import Household, HouseholdStatus
from node.models.units import Village
from node.services.named_lists import NamedList, numbered_rows
from node.services.reports import report_unit
from node.services.scopes import Official


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
    keys = ("commune_code", "village", "head_name", "members", "decided_on")
    return unit, numbered_rows(session.execute(query), keys)


AVERAGE_LIVELIHOOD = NamedList(
    code="DS-TB",
    action="list_average_livelihood",
    file_stem="ho-muc-song-tb",
    title={
        "vi": "Danh sách hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống "
        "trung bình",
        "en": "List of farming, forestry, fishery and salt households with an average living "
        "standard",
    },
    basis={"vi": "Quyết định số 24/2021/QĐ-TTg, Điều 3", "en": "Decision 24/2021/QĐ-TTg, Art. 3"},
    csv_keys=("number", "commune_code", "village", "head_name", "members", "decided_on"),
    csv_columns={
        "vi": (
            "STT",
            "Mã xã",
            "Thôn, bản, tổ dân phố",
            "Họ và tên chủ hộ",
            "Số nhân khẩu",
            "Ngày quyết định",
        ),
        "en": ("No.", "Commune code", "Village", "Head of household", "Persons", "Decided on"),
    },
    xlsx_columns=(
        ("number", "STT", "No."),
        ("commune", "Xã, phường, đặc khu", "Commune"),
        ("village", "Thôn, bản, tổ dân phố", "Village"),
        ("head_name", "Họ và tên chủ hộ", "Head of household"),
        ("members", "Số nhân khẩu", "Persons"),
        ("decided_on", "Ngày quyết định", "Decided on"),
    ),
)
