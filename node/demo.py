"""Demo data for a node: officials, villages and synthetic households taken through the real
review — submitted, verified, discussed at the village meeting, posted and decided.

The households are a sample of the province's population: each is drawn poor, near-poor,
average or not poor at the province's own published rates where RULES §7 has them (Lai Châu,
TP Hồ Chí Minh), else its region's 2024 rates, with Vietnamese names, plausible ages, the area
of their village and an ethnic-minority share by region; those that would qualify apply and go
through the procedure, a few are refused, and some stay mid-way so the officers' worklists have
work. The two years' lists before this one come in through the import, at the same rates, with
households leaving the lists; some of those that left poverty are poor again this year.

It also plants what the hub's signals page is there to find (hub.services.signals), one kind per
commune of the demo: in the first, every village meeting agrees unanimously and last year's list
(imported) had many more poor households; in the second, the village heads' verification changes
the class of half the files; in the third, every file stops after it was started and is overdue;
and one more commune has its resident households entered but no activity at all.
"""

from __future__ import annotations

import copy
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.snapshots import CommuneHouseholdCount
from node.models.units import Village
from node.services import accounts, imports
from node.services.applications import submit_application
from node.services.context import Actor, NodeContext
from node.services.decisions import DecisionLine, decide
from node.services.places import add_village, area_of
from node.services.review import post_results, record_meeting, record_verification, start_review
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    PROVINCE_OFFICER,
    VILLAGE_HEAD,
    Official,
)
from node.services.steps import latest_verification, scoped_application
from shared import units
from shared.spreadsheets import csv_writer
from shared.standards import evaluate, standard_for
from shared.standards.synthetic import random_facts

# Printed by `giamngheo demo` for every demo login: demo databases are throwaway.
DEMO_PASSWORD = "giamngheo-demo-2026"  # noqa: S105
COMMUNES_IN_DEMO = 4
VILLAGES_PER_COMMUNE = 3

# 2024 poor and near-poor rates by region (RULES §7), in %; the poor share of the pair where the
# source gives only the sum is taken as about half.
REGION_RATES = {
    "northern_mountains": (8.72, 6.26),
    "central_highlands": (4.7, 4.75),
    "north_central_coast": (3.0, 3.24),
    "mekong_delta": (1.5, 1.64),
    "red_river_delta": (0.5, 0.9),
    "south_east": (0.05, 0.1),
}
# Each demo province's own published poor and near-poor rates, in % (RULES §7): Lai Châu at the
# end of 2024 (secondary source: 19.46 and 9.33, about twice its region); TP Hồ Chí Minh had no
# poor or near-poor households under the national standard (2023; its region's 0.15 % combined
# is all the demo gives it, so its officers still have files); Hà Nội has no figure of its own in
# RULES, so its region's (Red River Delta 2024: poor 0.50, poor + near-poor 1.40).
PROVINCE_RATES = {"12": (19.46, 9.33), "79": (0.0, 0.1), "01": (0.5, 0.9)}
# Of the households on the lists one year, the share that leaves the next (RULES gives no figure:
# the national poor rate fell by about a third a year in 2022-2024, near-poor by less).
EXITS = {"poor_to_near_poor": 0.2, "poor_out": 0.1, "near_poor_out": 0.25}
# Share of the commune's exited-from-poverty households that apply again this year and are poor.
FALLING_BACK = 0.3
# What each reviewing commune's confirmations ask (issue 14 §1): two farming households with an
# average living standard, one household's low-income workers.
CONFIRMATIONS = (("average", "agriculture"), ("average", "fishery"), ("low_income", "other"))
# Share of poor and near-poor households that are of an ethnic minority, by region (rough).
MINORITY_SHARE = {
    "northern_mountains": 0.85,
    "central_highlands": 0.7,
    "north_central_coast": 0.3,
    "mekong_delta": 0.2,
    "red_river_delta": 0.05,
    "south_east": 0.1,
}
REGIONS = {
    "northern_mountains": ("04", "08", "11", "12", "14", "15", "19", "20", "25"),
    "red_river_delta": ("01", "22", "24", "31", "33", "37"),
    "north_central_coast": ("38", "40", "42", "44", "46", "48", "51", "56"),
    "central_highlands": ("52", "66", "68"),
    "south_east": ("75", "79", "80"),
    "mekong_delta": ("82", "86", "91", "92", "96"),
}
MINORITIES = {
    "northern_mountains": ("Thái", "H'Mông", "Dao", "Tày", "Nùng", "Mường"),
    "central_highlands": ("Ê Đê", "Gia Rai", "Ba Na", "M'Nông"),
    "north_central_coast": ("Mường", "Thái", "Bru-Vân Kiều", "Cơ Tu"),
    "mekong_delta": ("Khmer", "Hoa", "Chăm"),
    "red_river_delta": ("Mường", "Tày", "Dao"),
    "south_east": ("Hoa", "Khmer", "Chơ Ro"),
}
FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MINORITY_FAMILY = (
    "Lò",
    "Quàng",
    "Vàng",
    "Giàng",
    "Sùng",
    "Mùa",
    "Lường",
    "Hà",
    "Y",
    "Ksor",
    "Thạch",
    "Danh",
)
MIDDLE = {"male": ("Văn", "Đức", "Minh", "Hữu", "Quang"), "female": ("Thị", "Ngọc", "Thu", "Thanh")}
GIVEN = {
    "male": (
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hùng",
        "Khánh",
        "Long",
        "Nam",
        "Phúc",
        "Sơn",
        "Thắng",
        "Tuấn",
        "Việt",
        "Páo",
        "Chứ",
        "Sếnh",
    ),
    "female": (
        "Anh",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "Nga",
        "Nhung",
        "Phương",
        "Thảo",
        "Trang",
        "Yến",
        "Mỷ",
        "Dở",
        "Pằng",
    ),
}


def region_of(province_code: str) -> str:
    """The socio-economic region a province belongs to (for the demo's rates)."""
    return next(region for region, codes in REGIONS.items() if province_code in codes)


@dataclass
class DemoTeam:
    """The demo's officials: one set per commune in the demo, and the province's two."""

    province: dict[str, Official] = field(default_factory=dict)
    communes: dict[str, dict[str, Official]] = field(default_factory=dict)
    village_heads: dict[str, Official] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, unit)


@dataclass
class SeedResult:
    """What the seeding did, for the demo's summary."""

    households: int = 0
    applications: int = 0
    recognised: int = 0
    refused: int = 0
    # Confirmations recognised (an average living standard, low-income workers).
    confirmed: int = 0
    in_progress: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _official(
    session: Session,
    username: str,
    role: str,
    units_: list[str],
    context: NodeContext,
    team: DemoTeam,
) -> Official:
    user = accounts.create_user(
        session, username, DEMO_PASSWORD, role, units_, context.province_code, now=context.now
    )
    team.logins.append((username, role, ", ".join(units_)))
    return accounts.official_for_user(user)


def create_team(
    session: Session, context: NodeContext, rng: random.Random
) -> tuple[DemoTeam, list]:
    """Villages in a few communes and an official for every role there."""
    province = context.province_code
    communes = list(units.communes(province))
    chosen = rng.sample(communes, min(COMMUNES_IN_DEMO, len(communes)))
    chosen.sort(key=lambda c: c.code)
    team = DemoTeam()
    team.province["admin"] = _official(session, "admin", PROVINCE_ADMIN, [province], context, team)
    team.province["officer"] = _official(
        session, "so.nnmt", PROVINCE_OFFICER, [province], context, team
    )
    villages = []
    for number, commune in enumerate(chosen, start=1):
        suffix = "" if number == 1 else str(number)
        team.communes[commune.code] = {
            "officer": _official(
                session, f"canbo{suffix}", COMMUNE_OFFICER, [commune.code], context, team
            ),
            "chair": _official(
                session, f"chutich{suffix}", COMMUNE_CHAIR, [commune.code], context, team
            ),
        }
        kind = "Tổ dân phố" if commune.default_area == "urban" else "Thôn"
        for index in range(1, VILLAGES_PER_COMMUNE + 1):
            village = add_village(session, commune.code, f"{kind} {index}")
            villages.append(village)
            head_name = f"truongthon{suffix}" + ("" if index == 1 else f"-{index}")
            team.village_heads[village.code] = _official(
                session, head_name, VILLAGE_HEAD, [village.code], context, team
            )
    return team, villages


def _name(rng: random.Random, sex: str, minority: bool) -> str:
    family = rng.choice(MINORITY_FAMILY if minority else FAMILY)
    return f"{family} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def _facts_for(
    rng: random.Random, period: int, target: str, area: str, livelihood: str | None = None
) -> dict[str, Any]:
    """Household facts in ``area`` whose assessment is ``target`` under the period's standard;
    with ``livelihood`` (a confirmation's household) that main livelihood and, for ``other``,
    at least one low-income worker."""
    standard = standard_for(period)
    while True:
        facts = random_facts(rng, period, area=area)
        if livelihood is not None:
            facts["main_income_source"] = livelihood
        facts.pop("annual_income", None)
        facts["monthly_income"] = 0
        count = evaluate(facts)["deprivation_count"]
        if (target == "poor") != (count >= standard.poor_min_deprivations) and target in (
            "poor",
            "near_poor",
        ):
            continue
        line = standard.income_lines[facts["area"]]
        average = standard.average_lines[facts["area"]] if standard.average_lines else line * 1.5
        low, high = {
            "poor": (0.35 * line, line),
            "near_poor": (0.5 * line, line),
            "average": (line + 1, average),
            "not_poor": (average + 1, 3 * average),
        }[target]
        members = len(facts["members"])
        facts["monthly_income"] = int(rng.uniform(low, high)) * members
        assessment = evaluate(facts)
        workers_wanted = livelihood == "other"
        if assessment["classification"] == target and (
            not workers_wanted or assessment["low_income_workers"]
        ):
            return facts


def province_rates(province_code: str) -> tuple[float, float]:
    """The poor and near-poor rates (in %) the demo draws a province's households at: its own
    published ones where RULES has them, else its region's."""
    return PROVINCE_RATES.get(province_code) or REGION_RATES[region_of(province_code)]


def _draw_class(rng: random.Random, rates: tuple[float, float]) -> str:
    poor, near = rates
    roll = rng.random() * 100
    if roll < poor:
        return "poor"
    if roll < poor + near:
        return "near_poor"
    # Some households just above the line apply too; the review refuses them.
    return "average" if roll < poor + near + 1.0 else "not_poor"


def seed_demo(
    session: Session, context: NodeContext, households: int, seed: int = 2026
) -> SeedResult:
    """Officials, villages, the two years' lists before this one (imported, as a province
    brings its lists in) and ``households`` sampled households through the real services."""
    # Seeded on purpose: the same demo every time (nothing here is a secret).
    rng = random.Random(f"{seed}-{context.province_code}")  # noqa: S311
    region = region_of(context.province_code)
    rates = province_rates(context.province_code)
    team, villages = create_team(session, context, rng)
    period = context.today.year
    result = SeedResult(households=households, logins=team.logins)
    per_commune = households // len(team.communes)
    exited = _earlier_lists(session, context, villages, per_commune, rates, rng)
    by_commune: dict[str, list[int]] = {}
    quiet = next(c for c in units.communes(context.province_code) if c.code not in team.communes)
    for commune in [*team.communes, quiet.code]:
        session.add(
            CommuneHouseholdCount(commune_code=commune, period=period, households=per_commune)
        )
    applicants: dict[int, Applicant] = {}
    for number in range(households):
        target = _draw_class(rng, rates)
        if target == "not_poor":
            continue
        village = villages[number % len(villages)]
        # Some households that left poverty are poor again (tái nghèo): they apply as before.
        again = exited.get(village.code) if target == "poor" else None
        known = again.pop() if again and rng.random() < FALLING_BACK else None
        applicant = _apply(session, context, rng, village, period, target, region, number, known)
        applicants[applicant.application_id] = applicant
        by_commune.setdefault(village.commune_code, []).append(applicant.application_id)
        result.applications += 1
    _review(session, context, team, by_commune, applicants, rng, result)
    _confirmations(session, context, team, villages, rng, result, households)
    session.flush()
    return result


def _confirmations(
    session: Session,
    context: NodeContext,
    team: DemoTeam,
    villages: list[Village],
    rng: random.Random,
    result: SeedResult,
    numbered_from: int,
) -> None:
    """In each commune that reviews on time, ``CONFIRMATIONS`` taken through their own
    procedure to the chair's recognition (the average-livelihood and low-income workers' lists,
    the decision Mẫu số 02)."""
    review = _DemoReview(session, context, team, rng, result, context.today - timedelta(days=40))
    period, region = context.today.year, region_of(context.province_code)
    for plant, commune in enumerate(team.communes):
        if plant == 2:  # the commune that lets its files go overdue
            continue
        own = [village for village in villages if village.commune_code == commune]
        applicants: dict[int, Applicant] = {}
        for index, (kind, livelihood) in enumerate(CONFIRMATIONS):
            number = numbered_from + plant * len(CONFIRMATIONS) + index
            applicant = _apply(session, context, rng, own[index % len(own)], period, "average",
                               region, number, kind=kind, livelihood=livelihood)  # fmt: skip
            applicants[applicant.application_id] = applicant
            result.applications += 1
        review.confirm(team.communes[commune]["officer"], team.communes[commune]["chair"],
                       applicants)  # fmt: skip


@dataclass(frozen=True)
class ListedHousehold:
    """A household of an earlier list, as the import names it."""

    name: str
    citizen_id: str
    village: Village


def _earlier_lists(
    session: Session,
    context: NodeContext,
    villages: list[Village],
    per_commune: int,
    rates: tuple[float, float],
    rng: random.Random,
) -> dict[str, list[ListedHousehold]]:
    """The lists of the two years before, imported through the real import (as a province brings
    its lists in), each commune at the province's rates: the year before last as published; last
    year some households left the lists or moved down (exits, with the class of the year before),
    others came on, and the first commune had six points more poor households (a rate that moved,
    for the hub's signals). Returns, by village, last year's households that had left poverty."""
    first, last = context.today.year - 2, context.today.year - 1
    communes = sorted({v.commune_code for v in villages})
    numbers = iter(range(10**8))
    exited: dict[str, list[ListedHousehold]] = {}
    for period in (first, last):
        rows: list[tuple[ListedHousehold, str, str | None]] = []
        for position, commune in enumerate(communes):
            own = [v for v in villages if v.commune_code == commune]
            poor, near = (round(per_commune * rate / 100) for rate in rates)
            if period == last and position == 0:
                poor += round(per_commune * 6 / 100)
            draw = _ListDraw(rng, context.province_code, own, numbers)
            rows += (
                draw.year_before_last(poor, near) if period == first else draw.last_year(poor, near)
            )
            session.add(
                CommuneHouseholdCount(commune_code=commune, period=period, households=per_commune)
            )
        if rows:  # TP Hồ Chí Minh's lists are empty: nothing to import
            _import_list(session, context, period, rows, rng)
        if period == last:
            for listed, cls, before in rows:
                if before == "poor" and cls != "poor":
                    exited.setdefault(listed.village.code, []).append(listed)
    return exited


@dataclass
class _ListDraw:
    """The rows of one commune's earlier lists: (household, class, class the year before)."""

    rng: random.Random
    province_code: str
    villages: list[Village]
    numbers: Iterator[int]

    def household(self) -> ListedHousehold:
        sex = self.rng.choice(("male", "female"))
        # 8 after the province: no applicant of the demo has such an ID number.
        citizen_id = f"{int(self.province_code):03d}8{next(self.numbers):08d}"
        return ListedHousehold(_name(self.rng, sex, False), citizen_id,
                               self.rng.choice(self.villages))  # fmt: skip

    def year_before_last(self, poor: int, near: int) -> list[tuple[ListedHousehold, str, None]]:
        return [(self.household(), cls, None)
                for cls, count in (("poor", poor), ("near_poor", near))
                for _ in range(count)]  # fmt: skip

    def last_year(self, poor: int, near: int) -> list[tuple[ListedHousehold, str, str | None]]:
        """Exits from both lists (near-poor or off the lists, with their class before), the
        households that stayed, and new ones up to ``poor`` and ``near``."""
        down = round(poor * EXITS["poor_to_near_poor"])
        out = round(poor * EXITS["poor_out"])
        near_out = round(near * EXITS["near_poor_out"])
        stayed_poor, stayed_near = poor - down - out, near - near_out
        plan = [("near_poor", "poor", down), ("not_poor", "poor", out),
                ("not_poor", "near_poor", near_out), ("poor", "poor", stayed_poor),
                ("near_poor", "near_poor", stayed_near), ("poor", None, poor - stayed_poor),
                ("near_poor", None, max(0, near - stayed_near - down))]  # fmt: skip
        return [(self.household(), cls, before)
                for cls, before, count in plan for _ in range(max(0, count))]  # fmt: skip


LIST_HEADER = ["Mã xã", "Mã thôn", "Họ và tên chủ hộ", "Số định danh cá nhân chủ hộ", "Năm",
               "Phân loại", "Số nhân khẩu", "Chỉ số thiếu hụt", "Phân loại năm trước"]  # fmt: skip
CLASS_WORDS = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo", "not_poor": "hộ không nghèo"}


def _import_list(
    session: Session,
    context: NodeContext,
    period: int,
    rows: list[tuple[ListedHousehold, str, str | None]],
    rng: random.Random,
) -> None:
    """``rows`` written as a CSV in the import template's columns and imported for ``period``."""
    codes = [indicator.code for indicator in standard_for(period).indicators]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"danh-sach-{period}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv_writer(handle)
            writer.writerow(LIST_HEADER)
            for listed, cls, before in rows:
                deprived = rng.sample(codes, 3 if cls == "poor" else 1 if cls == "near_poor" else 0)
                before_word = CLASS_WORDS.get(before or "", "")
                writer.writerow([listed.village.commune_code, listed.village.code, listed.name,
                                 listed.citizen_id, period, CLASS_WORDS[cls], rng.randint(2, 6),
                                 ";".join(deprived), before_word])  # fmt: skip
        imports.import_households(
            session, path, province_code=context.province_code, period=period,
            standard=standard_for(period), today=context.today, now=context.now,
        )  # fmt: skip


@dataclass(frozen=True)
class Applicant:
    """Who applied, and where: what the reviewer will write down at the household."""

    application_id: int
    name: str
    citizen_id: str  # the head applies: the reviewer finds the same ID number on their card
    minority: bool
    village: Village


def _apply(
    session: Session,
    context: NodeContext,
    rng: random.Random,
    village: Village,
    period: int,
    target: str,
    region: str,
    number: int,
    known: ListedHousehold | None = None,
    kind: str = "enter",
    livelihood: str | None = None,
) -> Applicant:
    """One household's application (``known``: one of last year's list applying again; a
    confirmation's ``kind`` with the household's main ``livelihood``)."""
    # The area is the village's (or its commune's), as the node will take it (issue 14 §3).
    area = area_of(village.commune_code, village)
    facts = _facts_for(rng, period, target, area, livelihood)
    minority = target in ("poor", "near_poor") and rng.random() < MINORITY_SHARE[region]
    head = next(m for m in facts["members"] if m["relation"] == "head")
    name = _name(rng, head["sex"], minority)
    citizen_id = f"{int(context.province_code):03d}{rng.randrange(10**9):09d}"
    if known is not None:
        name, citizen_id, minority = known.name, known.citizen_id, False
    request = {
        "commune_code": village.commune_code,
        "village_code": village.code,
        "kind": kind,
        "applicant": {
            "full_name": name,
            "citizen_id": citizen_id,
            "phone": f"09{rng.randrange(10**8):08d}",
        },
        "household": facts,
        "consent": True,
    }
    submission = submit_application(
        session,
        request,
        f"demo-{context.province_code}-{number}",
        context,
        channel="portal" if number % 4 else "paper",
        actor=Actor(),
    )
    application_id = session.scalar(
        select(Application.id).where(Application.tracking_code == submission.body["tracking_code"])
    )
    return Applicant(application_id, name, citizen_id, minority, village)


def _identities(
    rng: random.Random, facts: dict, applicant: Applicant, ethnicity: str
) -> list[dict[str, Any]]:
    """The members' names and ID numbers as the reviewer copies them: the head is the applicant,
    with the ID number of the application (the certificate prints it)."""
    head_name, minority = applicant.name, applicant.minority
    family = head_name.split()[0]
    identities = []
    for member in facts["members"]:
        if member["relation"] == "head":
            identities.append(
                {"full_name": head_name, "citizen_id": applicant.citizen_id, "ethnicity": ethnicity}
            )
            continue
        if member["relation"] == "spouse":
            name = _name(rng, member["sex"], minority)
        else:
            name = (
                f"{family} {rng.choice(MIDDLE[member['sex']])} {rng.choice(GIVEN[member['sex']])}"
            )
        adult = member["birth_date"] < "2012-01-01"
        identities.append(
            {
                "full_name": name,
                "citizen_id": f"0{rng.randrange(10**11):011d}" if adult else None,
                "ethnicity": ethnicity,
            }
        )
    return identities


def _review(
    session: Session,
    context: NodeContext,
    team: DemoTeam,
    by_commune: dict[str, list[int]],
    applicants: dict[int, Applicant],
    rng: random.Random,
    result: SeedResult,
) -> None:
    """Take each commune's applications through the procedure, leaving some mid-way."""
    review = _DemoReview(session, context, team, rng, result, context.today - timedelta(days=40))
    order = list(team.communes)
    for commune, ids in by_commune.items():
        officer = team.communes[commune]["officer"]
        chair = team.communes[commune]["chair"]
        plant = order.index(commune)  # 0: unanimous, 1: classes changed, 2: overdue
        if plant == 2:
            review.start_only(officer, ids, applicants)
            continue
        to_meeting = review.verify(officer, ids, applicants, change_class=plant == 1)
        posted = review.hold_meetings(to_meeting, unanimous=plant == 0)
        # A few wait at the meeting stage; the rest are posted and decided.
        waiting, to_post = posted[: len(posted) // 8], posted[len(posted) // 8 :]
        result.in_progress += len(waiting)
        if to_post:
            review.post_and_decide(officer, chair, to_post)


@dataclass
class _DemoReview:
    """The steps of one commune's review, on the days after ``start``, tallied in ``result``."""

    session: Session
    context: NodeContext
    team: DemoTeam
    rng: random.Random
    result: SeedResult
    start: date

    def start_only(
        self, officer: Official, ids: list[int], applicants: dict[int, Applicant]
    ) -> None:
        """Start every application and go no further: past their deadline, they pile up."""
        past = _shifted(self.context, self.start)
        for app_id in ids:
            application = scoped_application(self.session, officer, app_id)
            head = self.team.village_heads[applicants[app_id].village.code]
            start_review(self.session, officer, application, past, assign_to=head.user_id)
            self.result.in_progress += 1

    def verify(
        self,
        officer: Official,
        ids: list[int],
        applicants: dict[int, Applicant],
        change_class: bool = False,
    ) -> dict[str, list[int]]:
        """Start reviewing and verify most applications; returns those verified, by village.
        ``change_class``: the village head finds every other household in another class."""
        region_minorities = MINORITIES[region_of(self.context.province_code)]
        to_meeting: dict[str, list[int]] = {}
        past = _shifted(self.context, self.start)
        for position, app_id in enumerate(ids):
            stage = position % 10  # 0: left submitted, 1: under review, 2-9: go on
            if stage == 0:
                self.result.in_progress += 1
                continue
            application = scoped_application(self.session, officer, app_id)
            applicant = applicants[app_id]
            village_code = applicant.village.code
            head = self.team.village_heads[village_code]
            start_review(self.session, officer, application, past, assign_to=head.user_id)
            if stage == 1:
                self.result.in_progress += 1
                continue
            facts = copy.deepcopy(application.declared_facts)
            if change_class and position % 2 == 0:
                _found_otherwise(facts, application.self_classification)
            ethnicity = self.rng.choice(region_minorities) if applicant.minority else "Kinh"
            identities = _identities(self.rng, facts, applicant, ethnicity)
            record_verification(
                self.session,
                head,
                application,
                past,
                facts=facts,
                identities=identities,
                address=applicant.village.name,
            )
            to_meeting.setdefault(village_code, []).append(app_id)
        return to_meeting

    def hold_meetings(self, to_meeting: dict[str, list[int]], unanimous: bool = False) -> list[int]:
        """Each village's meeting, a week in, voting on its applications; returns them all.
        ``unanimous``: everyone agrees, every time."""
        meeting_day = self.start + timedelta(days=7)
        posted: list[int] = []
        for village_code, app_ids in to_meeting.items():
            head = self.team.village_heads[village_code]
            attendees = self.rng.randint(25, 60)
            low = attendees if unanimous else attendees // 2 + 1
            votes = [(app_id, self.rng.randint(low, attendees)) for app_id in app_ids]
            record_meeting(
                self.session,
                head,
                _shifted(self.context, meeting_day),
                held_on=meeting_day,
                attendees=attendees,
                votes=votes,
                village_code=village_code,
                chaired_by=None,
            )
            posted.extend(app_ids)
        return posted

    def confirm(self, officer: Official, chair: Official, applicants: dict[int, Applicant]) -> None:
        """The confirmations' procedure: verified as declared, posted at the commune office on
        day 10 for its working days (no village meeting), recognised by the chair on day 25."""
        past = _shifted(self.context, self.start)
        ids = list(applicants)
        for app_id, applicant in applicants.items():
            application = scoped_application(self.session, officer, app_id)
            head = self.team.village_heads[applicant.village.code]
            start_review(self.session, officer, application, past, assign_to=head.user_id)
            facts = copy.deepcopy(application.declared_facts)
            record_verification(self.session, head, application, past, facts=facts,
                                identities=_identities(self.rng, facts, applicant, "Kinh"),
                                address=applicant.village.name)  # fmt: skip
        posting_day = self.start + timedelta(days=10)
        post_results(self.session, officer, _shifted(self.context, posting_day),
                     application_ids=ids, starts_on=posting_day)  # fmt: skip
        decision_day = self.start + timedelta(days=25)
        decide(
            self.session,
            chair,
            _shifted(self.context, decision_day),
            # Numbered apart from the review's decisions of the same commune.
            number=f"{self.rng.randint(1000, 1999)}/QĐ-UBND",
            decided_on=decision_day,
            lines=[DecisionLine(app_id, "recognised") for app_id in ids],
        )
        self.result.confirmed += len(ids)

    def post_and_decide(self, officer: Official, chair: Official, to_post: list[int]) -> None:
        """Post the results on day 10; the chair decides on day 20, refusing the better-off."""
        posting_day = self.start + timedelta(days=10)
        post_results(
            self.session,
            officer,
            _shifted(self.context, posting_day),
            application_ids=to_post,
            starts_on=posting_day,
        )
        decision_day = self.start + timedelta(days=20)
        lines = []
        for app_id in to_post:
            application = scoped_application(self.session, chair, app_id)
            found = latest_verification(self.session, application).classification
            refused = found not in ("poor", "near_poor")
            lines.append(
                DecisionLine(
                    app_id,
                    "refused" if refused else "recognised",
                    "Thu nhập bình quân đầu người cao hơn chuẩn cận nghèo." if refused else None,
                )
            )
            self.result.refused += refused
            self.result.recognised += not refused
        decide(
            self.session,
            chair,
            _shifted(self.context, decision_day),
            number=f"{self.rng.randint(100, 999)}/QĐ-UBND",
            decided_on=decision_day,
            lines=lines,
        )


def _found_otherwise(facts: dict[str, Any], declared: str) -> None:
    """What a village head might find at a household that declared ``declared``: three
    deprivations more for a near-poor one, an income just above the line for a poor one, one
    below it for the others."""
    line = standard_for(facts["period"]).income_lines[facts["area"]]
    members = len(facts["members"])
    if declared == "near_poor":
        facts["water"] = {"source": "surface_water"}
        facts["sanitation"] = {"latrine": "none"}
        facts["housing"].update(walls_durable=False, roof_durable=False, columns_durable=False)
    elif declared == "poor":
        facts["monthly_income"] = int(line * 1.2) * members
    else:
        facts["monthly_income"] = int(line * 0.8) * members


def _shifted(context: NodeContext, day: date) -> NodeContext:
    """The context as of an earlier day: the demo's review happened over the past weeks."""
    moment = context.now - (context.today - day)
    return NodeContext(context.province_code, day, moment, context.review_window, context.rules)


def iter_logins(result: SeedResult) -> Iterator[str]:
    """Lines describing the demo's sign-ins."""
    for username, role, unit in result.logins:
        yield f"{username:<16} {role:<17} {unit}"
