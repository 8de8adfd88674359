"""Report forms R1–R5 (RULES §6; Circular 07/2021 Phụ lục VII): forms as data, one table model.

R1–R4 are drawn from the same per-commune rows as the hub's snapshot (node.services.aggregates),
so a report and a snapshot can never disagree. R5, the list of recognised households with their
members, is personal data: it exists at the node only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from node.models.households import Household, HouseholdStatus, Member
from node.models.review import Certificate
from node.models.tallies import StatusTally
from node.models.units import Village
from node.services.aggregates import ON_THE_LISTS, commune_rows
from node.services.errors import NotFound, ValidationFailed
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    PROVINCE_OFFICER,
    Official,
    require_role,
)
from shared import units
from shared.standards import standard_for

Texts = dict[str, str]
# Who reads the report forms, R1-R4 and R5 alike, on the pages and through the API. The forms
# are the commune's report to the province and the province's own (RULES §5-6, DESIGN §2): a
# village head verifies and holds the meeting for their villages but reports nothing, and the
# forms count the whole commune, most of it outside a village head's villages; its small cells
# (one ethnic-minority poor household) could name a household there.
REPORT_READERS = (COMMUNE_OFFICER, COMMUNE_CHAIR, PROVINCE_OFFICER, PROVINCE_ADMIN)


def _t(vi: str, en: str) -> Texts:
    return {"vi": vi, "en": en}


@dataclass(frozen=True)
class Column:
    """A column: a count from the rows, or a rate of one count over another (in %)."""

    key: str
    label: Texts
    numerator: str | None = None
    denominator: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


# Where the forms come from (RULES §6): the report forms of Circular 07/2021's Phụ lục VII (the
# Mẫu 7.x series), amended by Circular 02/2022. Which Mẫu number each of R1–R5 is has not been
# checked against the texts, so the forms say no number rather than a guessed one.
ANNEX = _t(
    "Căn cứ: Phụ lục VII Thông tư số 07/2021/TT-BLĐTBXH (sửa đổi, bổ sung bởi Thông tư số "
    "02/2022/TT-BLĐTBXH); số hiệu mẫu chưa được đối chiếu với văn bản",
    "Basis: Annex VII of Circular 07/2021/TT-BLĐTBXH (amended by Circular 02/2022/TT-BLĐTBXH); "
    "the form's number is not yet checked against the text",
)


@dataclass(frozen=True)
class Form:
    """A report form: its title and columns; R2 also needs the period before."""

    code: str
    title: Texts
    columns: Callable[[int], list[Column]]
    needs_previous_period: bool = False
    basis: Texts = field(default_factory=lambda: ANNEX)


def _rate(key: str, label: Texts, numerator: str, denominator: str) -> Column:
    return Column(key, label, numerator, denominator)


R1_COLUMNS = [
    Column("households_total", _t("Tổng số hộ dân cư", "Households")),
    Column("poor", _t("Số hộ nghèo", "Poor households")),
    _rate("poor_rate", _t("Tỷ lệ hộ nghèo (%)", "Poor rate (%)"), "poor", "households_total"),
    Column("near_poor", _t("Số hộ cận nghèo", "Near-poor households")),
    _rate(
        "near_poor_rate",
        _t("Tỷ lệ hộ cận nghèo (%)", "Near-poor rate (%)"),
        "near_poor",
        "households_total",
    ),
    # The multidimensional rate (poor and near-poor together): the figure the Ministry
    # publishes first (RULES §7: "poor + near-poor 1,258,997 (4.06%)").
    Column("poor_near_poor", _t("Tổng số hộ nghèo và hộ cận nghèo", "Poor and near-poor")),
    _rate(
        "poor_near_poor_rate",
        _t(
            "Tỷ lệ hộ nghèo đa chiều (hộ nghèo và hộ cận nghèo) (%)",
            "Multidimensional poverty rate (poor and near-poor) (%)",
        ),
        "poor_near_poor",
        "households_total",
    ),
    Column("members_poor", _t("Số nhân khẩu hộ nghèo", "Persons in poor households")),
    Column("members_near_poor", _t("Số nhân khẩu hộ cận nghèo", "Persons in near-poor households")),
    Column("average", _t("Hộ có mức sống trung bình", "Average living standard")),
    # The list of Decision 24/2021 Art. 3 (a subset of the households above), counted from the
    # decided statuses of the period (build_report), not from the tallies.
    Column(
        "average_livelihood",
        _t(
            "Hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp, diêm nghiệp có mức sống trung bình",
            "Farming, forestry, fishery and salt households with an average living standard",
        ),
    ),
    # Persons (Decree 30/2025), summed from the decided statuses of the period (build_report).
    Column(
        "low_income_workers",
        _t("Số người lao động có thu nhập thấp", "Low-income workers (persons)"),
    ),
]


def _r1_columns(period: int) -> list[Column]:
    """R1's columns; the area columns in the words of the period's standard ("khu vực thành
    thị" until 2026, "khu vực đô thị" from 2027: shared/standards/data, issue 14 §5)."""
    names = standard_for(period).area_names
    by_area = [
        Column(f"{cls}_{area}", _t(f"{vi} {names[area]['vi']}", f"{en}, {names[area]['en']}"))
        for cls, vi, en in (
            ("poor", "Hộ nghèo", "Poor"),
            ("near_poor", "Hộ cận nghèo", "Near-poor"),
        )
        for area in ("rural", "urban")
    ]
    return [*R1_COLUMNS, *by_area]


R2_COLUMNS = [
    Column("poor_start", _t("Hộ nghèo đầu kỳ", "Poor at the start")),
    Column("exited_poor", _t("Số hộ thoát nghèo", "Exited poverty")),
    Column("fell_back", _t("Số hộ tái nghèo", "Fell back into poverty")),
    Column("new_poor", _t("Số hộ nghèo phát sinh", "Newly poor")),
    Column("poor", _t("Hộ nghèo cuối kỳ", "Poor at the end")),
    Column("near_poor_start", _t("Hộ cận nghèo đầu kỳ", "Near-poor at the start")),
    Column("exited_near_poor", _t("Số hộ thoát cận nghèo", "Exited near-poverty")),
    Column("new_near_poor", _t("Số hộ cận nghèo phát sinh", "Newly near-poor")),
    Column("near_poor", _t("Hộ cận nghèo cuối kỳ", "Near-poor at the end")),
]
R4_COLUMNS = [
    Column("poor", _t("Tổng số hộ nghèo", "Poor households")),
    Column("ethnic_minority_poor", _t("Hộ nghèo dân tộc thiểu số", "Ethnic-minority poor")),
    _rate(
        "ethnic_minority_poor_share",
        _t("Tỷ lệ trong tổng số hộ nghèo (%)", "Share of poor households (%)"),
        "ethnic_minority_poor",
        "poor",
    ),
    Column("near_poor", _t("Tổng số hộ cận nghèo", "Near-poor households")),
    Column(
        "ethnic_minority_near_poor",
        _t("Hộ cận nghèo dân tộc thiểu số", "Ethnic-minority near-poor"),
    ),
    _rate(
        "ethnic_minority_near_poor_share",
        _t("Tỷ lệ trong tổng số hộ cận nghèo (%)", "Share of near-poor households (%)"),
        "ethnic_minority_near_poor",
        "near_poor",
    ),
]


def _deprivation_columns(period: int) -> list[Column]:
    return [
        Column(f"deprived.{indicator.code}", dict(indicator.name))
        for indicator in standard_for(period).indicators
    ]


FORMS: dict[str, Form] = {
    "R1": Form(
        "R1",
        _t(
            "Tổng hợp kết quả rà soát hộ nghèo, hộ cận nghèo, hộ có mức sống trung bình",
            "Summary of the review of poor, near-poor and average-living-standard households",
        ),
        _r1_columns,
    ),
    "R2": Form(
        "R2",
        _t(
            "Kết quả thay đổi hộ nghèo, hộ cận nghèo trong năm",
            "Changes in poor and near-poor households during the year",
        ),
        lambda period: R2_COLUMNS,
        needs_previous_period=True,
    ),
    "R3": Form(
        "R3",
        _t(
            "Hộ nghèo, hộ cận nghèo thiếu hụt các chỉ số dịch vụ xã hội cơ bản",
            "Poor and near-poor households deprived in each basic social service indicator",
        ),
        _deprivation_columns,
    ),
    "R4": Form(
        "R4",
        _t(
            "Hộ nghèo, hộ cận nghèo là dân tộc thiểu số",
            "Ethnic-minority poor and near-poor households",
        ),
        lambda period: R4_COLUMNS,
    ),
}
FORM_CODES = (*FORMS, "R5")


@dataclass
class ReportTable:
    """A rendered report: the same structure feeds HTML, CSV and XLSX."""

    code: str
    title: Texts
    unit_code: str
    unit_name: str
    period: int
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)
    basis: Texts = field(default_factory=lambda: ANNEX)


def report_unit(official: Official, province_code: str, unit: str | None) -> str:
    """The unit a report is for: the official's commune or the province; never outside scope.
    Only the report readers may ask (Forbidden otherwise)."""
    require_role(official, *REPORT_READERS)
    if official.level == "province":
        unit = unit or province_code
        if unit != province_code and not (
            units.is_commune_code(unit) and units.commune(unit).province_code == province_code
        ):
            raise NotFound("No such unit in this province.")
        return unit
    commune = official.commune_code
    if unit not in (None, commune):
        raise NotFound("That unit is outside your area.")
    return commune


def _value(row: dict[str, Any], key: str) -> int | None:
    if key.startswith("deprived."):
        return row["deprived"].get(key.removeprefix("deprived."))
    if key == "poor_near_poor":  # a sum the rows do not carry
        poor, near_poor = row.get("poor"), row.get("near_poor")
        return None if poor is None or near_poor is None else poor + near_poor
    return row.get(key)


def _cells(row: dict[str, Any], columns: list[Column]) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for column in columns:
        if column.is_rate:
            numerator = _value(row, column.numerator)
            denominator = _value(row, column.denominator)
            cells[column.key] = (
                round(100 * numerator / denominator, 2)
                if numerator is not None and denominator
                else None
            )
        else:
            cells[column.key] = _value(row, column.key)
    return cells


def _sum_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"deprived": {}}
    for row in rows:
        for key, value in row.items():
            if key == "deprived":
                for code, count in value.items():
                    total["deprived"][code] = total["deprived"].get(code, 0) + (count or 0)
            elif isinstance(value, int) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total


def _subtotal_labels(period: int) -> list[tuple[str, Texts]]:
    """The province's subtotals by the communes' area, named in the period's standard's words."""
    names = standard_for(period).area_names
    kinds = {"urban": ("phường", "wards"), "rural": ("xã, đặc khu", "communes, special zones")}
    return [
        (area, _t(f"{names[area]['vi'].capitalize()} ({kinds[area][0]})",
                  f"{names[area]['en'].capitalize()} ({kinds[area][1]})"))
        for area in ("urban", "rural")
    ]  # fmt: skip


def build_report(
    session: Session, code: str, province_code: str, period: int, unit: str
) -> ReportTable:
    """R1–R4 for a province (its communes, subtotals by area, the total) or one commune."""
    form = FORMS.get(code)
    if form is None:
        raise ValidationFailed("Unknown report form.", {"form": ", ".join(FORM_CODES)})
    return form_table(session, form, province_code, period, unit)


def form_table(
    session: Session, form: Form, province_code: str, period: int, unit: str
) -> ReportTable:
    """``form``'s table for a province or one commune (build_report; the annual report)."""
    rows = commune_rows(session, province_code, period, pending=False)
    if form.needs_previous_period:
        earlier = commune_rows(session, province_code, period - 1, pending=False)
        before = {r["commune_code"]: r for r in earlier}
        for row in rows:
            row["poor_start"] = before[row["commune_code"]]["poor"]
            row["near_poor_start"] = before[row["commune_code"]]["near_poor"]
    columns = form.columns(period)
    if any(column.key == "average_livelihood" for column in columns):
        listed = _average_livelihood_counts(session, period)
        workers = _low_income_worker_counts(session, period)
        for row in rows:
            row["average_livelihood"] = listed.get(row["commune_code"], 0)
            row["low_income_workers"] = workers.get(row["commune_code"], 0)
    if unit != province_code:
        rows = [row for row in rows if row["commune_code"] == unit]
    name = units.province(province_code).name if unit == province_code else units.commune(unit).name
    table = ReportTable(form.code, form.title, unit, name, period, columns, basis=form.basis)
    for row in rows:
        commune = units.commune(row["commune_code"])
        table.rows.append({"code": commune.code, "name": commune.name, **_cells(row, columns)})
    if unit == province_code:
        for area, label in _subtotal_labels(period):
            part = [r for r in rows if units.commune(r["commune_code"]).default_area == area]
            table.totals.append({"code": area, "label": label, **_cells(_sum_rows(part), columns)})
        table.totals.append(
            {"code": "total", "label": _t("Toàn tỉnh", "Province total"),
             **_cells(_sum_rows(rows), columns)}
        )  # fmt: skip
    return table


def _average_livelihood_counts(session: Session, period: int) -> dict[str, int]:
    """The households on the average-livelihood list of ``period``, by commune."""
    s = HouseholdStatus
    query = (
        select(s.commune_code, func.count())
        .where(s.period == period, s.classification == "average", s.average_livelihood)
        .group_by(s.commune_code)
    )
    return dict(session.execute(query).all())


def _low_income_worker_counts(session: Session, period: int) -> dict[str, int]:
    """The low-income workers (persons) of ``period``'s decided households, by commune."""
    s = HouseholdStatus
    query = (
        select(s.commune_code, func.sum(s.low_income_workers))
        .where(s.period == period, s.low_income_workers > 0)
        .group_by(s.commune_code)
    )
    return {commune: int(count) for commune, count in session.execute(query)}


R5_COMMUNE = Column("commune", _t("Xã, phường, đặc khu", "Commune"))
R5_COLUMNS = [
    Column("number", _t("STT", "No.")),
    Column("head_name", _t("Họ và tên chủ hộ", "Head of household")),
    Column("village", _t("Thôn, bản, tổ dân phố", "Village")),
    Column("classification", _t("Phân loại", "Class")),
    Column("members", _t("Số nhân khẩu", "Persons")),
    Column("member_names", _t("Họ và tên các thành viên", "Members")),
    Column("certificate", _t("Số giấy chứng nhận", "Certificate number")),
]


R5_TITLE = _t(
    "Danh sách hộ nghèo, hộ cận nghèo được công nhận",
    "List of recognised poor and near-poor households",
)
# The page shows the first households and their members; the files carry the whole list.
R5_PAGE_ROWS = 200


def r5_heading(province_code: str, period: int, unit: str) -> ReportTable:
    """R5's title, unit and columns, without rows (its rows come from ``r5_rows``)."""
    if unit == province_code:
        # A province's list names the commune of each household: "Thôn 2" is in many communes.
        name, columns = units.province(province_code).name, [*R5_COLUMNS[:1], R5_COMMUNE,
                                                             *R5_COLUMNS[1:]]  # fmt: skip
    else:
        name, columns = units.commune(unit).name, R5_COLUMNS
    return ReportTable("R5", R5_TITLE, unit, name, period, columns)


def r5_count(session: Session, province_code: str, period: int, unit: str) -> int:
    """How many households R5 lists (from the tallies)."""
    query = select(func.coalesce(func.sum(StatusTally.households), 0)).where(
        StatusTally.period == period, StatusTally.classification.in_(ON_THE_LISTS)
    )
    if unit != province_code:
        query = query.where(StatusTally.commune_code == unit)
    return session.scalar(query) or 0


def r5_rows(
    session: Session, province_code: str, period: int, unit: str, *, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """R5's rows in order (commune, class, head's name), made as they are written out: one
    query through the statuses' (period, class, commune) index; the driver holds its compact
    result and each row becomes a dict only when its turn comes. (Not a server-side cursor:
    PostgreSQL plans a cursor for its first rows and without parallel workers, 15× slower for
    a province's list.) Members are not read here (``with_members`` adds them)."""
    s = HouseholdStatus
    query = (
        select(
            Household.id,
            s.commune_code,
            Household.head_name,
            Village.name,
            s.classification,
            s.members_count,
            Certificate.number,
        )
        .join(Household, Household.id == s.household_id)
        .outerjoin(Village, Village.id == Household.village_id)
        .outerjoin(Certificate, Certificate.decision_item_id == s.decision_item_id)
        .where(s.period == period, s.classification.in_(ON_THE_LISTS))
        .order_by(s.commune_code, s.classification, Household.head_name, Household.id)
        .limit(limit)
    )
    if unit != province_code:
        query = query.where(s.commune_code == unit)
    result = session.execute(query)
    for number, (household_id, commune, head, village, cls, members, certificate) in enumerate(
        result, 1
    ):
        yield {
            "code": str(household_id),
            "name": head,
            "number": number,
            "commune": _commune_name(commune),
            "head_name": head,
            "village": village or "",
            "classification": cls,
            "members": members,
            "certificate": certificate or "",
        }


def with_members(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with each household's ``member_names``, read in one query for them all."""
    ids = [int(row["code"]) for row in rows]
    names: dict[int, list[str]] = {household_id: [] for household_id in ids}
    if ids:
        for household_id, full_name in session.execute(
            select(Member.household_id, Member.full_name)
            .where(Member.household_id.in_(ids))
            .order_by(Member.household_id, Member.position)
        ):
            names[household_id].append(full_name)
    return [{**row, "member_names": names[int(row["code"])]} for row in rows]


@cache
def _commune_name(code: str) -> str:
    """The commune's name; its code if the units no longer know it (a row kept from before a
    merger is listed all the same)."""
    try:
        return units.commune(code).name
    except units.UnknownUnit:
        return code


R5_MEMBER_BATCH = 1000


def r5_rows_with_members(
    session: Session, province_code: str, period: int, unit: str
) -> Iterator[dict[str, Any]]:
    """``r5_rows`` with each household's ``member_names``, read a batch of households at a time
    (the files list the members as the page does)."""
    batch: list[dict[str, Any]] = []
    for row in r5_rows(session, province_code, period, unit):
        batch.append(row)
        if len(batch) == R5_MEMBER_BATCH:
            yield from with_members(session, batch)
            batch = []
    yield from with_members(session, batch)


def recognised_households(
    session: Session, province_code: str, period: int, unit: str, *, limit: int = R5_PAGE_ROWS
) -> ReportTable:
    """R5 as the page shows it: the first ``limit`` households with their members (node only;
    the files stream the whole list from ``r5_rows``)."""
    table = r5_heading(province_code, period, unit)
    rows = list(r5_rows(session, province_code, period, unit, limit=limit))
    table.rows = with_members(session, rows)
    return table
