"""An independent, deliberately plain reading of RULES §2–3, to cross-check the engine.

Written straight from domain/RULES.md without the engine's data files or rule compiler: if the two
disagree on any household, one of them misreads the rules.
"""

from __future__ import annotations

from datetime import date

LINES = {
    "VN-2022-2025": {"rural": 1_500_000, "urban": 2_000_000},
    "VN-2027-2030": {"rural": 2_200_000, "urban": 2_800_000},
}
AVERAGE_LINES = {
    "VN-2022-2025": {"rural": 2_250_000, "urban": 3_000_000},
    "VN-2027-2030": None,
}
# Decree 30/2025 (amending Decree 07/2021 Art. 3): workers of households that are neither poor
# nor near-poor, income per person at most these; Decree 351/2025 sets none for 2027–2030.
LOW_INCOME_LINES = {
    "VN-2022-2025": {"rural": 2_250_000, "urban": 3_000_000},
    "VN-2027-2030": None,
}
EDUCATION = [
    "none",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "vocational",
    "college_or_higher",
]
SAFE_WATER = {"piped", "borehole", "protected_dug_well", "protected_spring", "rainwater", "bottled"}
HYGIENIC = {"septic", "semi_septic", "pour_flush", "double_vault", "ventilated_pit"}


def full_years(birth: date, on: date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def retirement_age_in_months(year: int, sex: str) -> int:
    """Decree 135/2020: men 60y3m in 2021 (+3 months a year, 62 from 2028); women 55y4m (+4, 60)."""
    year = max(2021, year)
    if sex == "male":
        return min(60 * 12 + 3 * (year - 2020), 62 * 12)
    return min(55 * 12 + 4 * (year - 2020), 60 * 12)


def months_old(birth: date, on: date) -> int:
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    if on.day < birth.day:
        months -= 1
    return months


def classify(facts: dict) -> dict:
    period = facts["period"]
    standard = "VN-2022-2025" if period <= 2026 else "VN-2027-2030"
    on = date.fromisoformat(facts["reference_date"])
    members = facts["members"]
    n = len(members)
    monthly = facts["monthly_income"] if "monthly_income" in facts else facts["annual_income"] // 12
    per_person = monthly // n
    ages = [full_years(date.fromisoformat(m["birth_date"]), on) for m in members]

    deprived = []

    def working_age(m: dict) -> bool:
        months = months_old(date.fromisoformat(m["birth_date"]), on)
        return 15 * 12 <= months < retirement_age_in_months(on.year, m["sex"])

    if any(
        working_age(m) and m["employment"] in ("unemployed", "employed_no_contract")
        for m in members
    ):
        deprived.append("employment")
    dependants = sum(1 for m, age in zip(members, ages) if age < 16 or age >= 60 or m["disability"])
    if dependants * 2 > n:
        deprived.append("dependents")
    if any(age < 16 and m["malnourished"] for m, age in zip(members, ages)):
        deprived.append("nutrition")
    if any(age >= 6 and not m["has_health_insurance"] for m, age in zip(members, ages)):
        deprived.append("health_insurance")
    for m, age in zip(members, ages):
        if m["in_school"] or m["in_training"]:
            continue
        level = EDUCATION.index(m["education_level"])
        if 16 <= age <= 17 and level < EDUCATION.index("lower_secondary"):
            deprived.append("adult_education")
            break
        if 18 <= age <= 30 and level < EDUCATION.index("upper_secondary"):
            deprived.append("adult_education")
            break
    if any(3 <= age < 16 and not m["in_school"] for m, age in zip(members, ages)):
        deprived.append("child_schooling")
    housing = facts["housing"]
    weak = [not housing[k] for k in ("walls_durable", "columns_durable", "roof_durable")]
    if sum(weak) >= 2:
        deprived.append("housing_quality")
    if housing["floor_area_m2"] < 8 * n:
        deprived.append("housing_area")
    if facts["water"]["source"] not in SAFE_WATER:
        deprived.append("drinking_water")
    if facts["sanitation"]["latrine"] not in HYGIENIC:
        deprived.append("sanitation")
    if standard == "VN-2022-2025":
        if not facts["information"]["uses_telecom"]:
            deprived.append("telecom")
        if not facts["information"]["has_information_device"]:
            deprived.append("information_access")
    else:
        if not facts["information"]["uses_internet"]:
            deprived.append("telecom")
        if not facts["waste"]["collected_or_treated"]:
            deprived.append("waste")

    line = LINES[standard][facts["area"]]
    average = AVERAGE_LINES[standard]
    if per_person <= line:
        classification = "poor" if len(deprived) >= 3 else "near_poor"
    elif average is not None and per_person <= average[facts["area"]]:
        classification = "average"
    else:
        classification = "not_poor"
    # Provisional reading: a worker is a member of working age who is in the labour force.
    low_line = LOW_INCOME_LINES[standard] and LOW_INCOME_LINES[standard][facts["area"]]
    workers = []
    in_band = low_line is not None and per_person <= low_line
    if in_band and classification not in ("poor", "near_poor"):
        workers = [
            index
            for index, m in enumerate(members)
            if working_age(m) and m["employment"] != "not_in_labour_force"
        ]
    return {
        "standard_id": standard,
        "income_per_capita": per_person,
        "income_line": line,
        "deprivations": deprived,
        "deprivation_count": len(deprived),
        "deprivation_score": 10 * len(deprived),
        "classification": classification,
        # Decision 24/2021 Art. 3: an average living standard earned mainly from farming,
        # forestry, fishery or salt.
        "average_livelihood": classification == "average"
        and facts.get("main_income_source") in {"agriculture", "forestry", "fishery", "salt"},
        "low_income_line": low_line,
        "low_income_workers": workers,
    }
