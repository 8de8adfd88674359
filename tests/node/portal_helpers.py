"""Builders for the portal's tests: a declaration form as a resident fills it in."""

from __future__ import annotations

COMMUNE = "00070"  # Phường Hoàn Kiếm, Hà Nội (the test configuration's province): urban


def household_form(**changes: str) -> dict[str, str]:
    """A rural household of two (a head out of work without insurance, a child at school) with
    2,000,000 đồng a month: income per person 1,000,000, deprived in 6 indicators: poor."""
    form = {
        "kind": "enter",
        "commune": COMMUNE,
        "village": "",
        "people": "2",
        "members.0.relation": "head",
        "members.0.sex": "male",
        "members.0.birth_date": "1980-05-02",
        "members.0.employment": "unemployed",
        "members.0.has_health_insurance": "no",
        "members.0.disability": "no",
        "members.0.in_school": "no",
        "members.0.education_level": "primary",
        "members.0.in_training": "no",
        "members.1.relation": "child",
        "members.1.sex": "female",
        "members.1.birth_date": "2018-01-01",
        "members.1.has_health_insurance": "yes",
        "members.1.disability": "no",
        "members.1.in_school": "yes",
        "members.1.education_level": "primary",
        "members.1.malnourished": "no",
        "income_period": "monthly",
        "income": "2.000.000",
        "housing.floor_area_m2": "12",
        "housing.walls_durable": "no",
        "housing.columns_durable": "no",
        "housing.roof_durable": "yes",
        "water.source": "surface_water",
        "sanitation.latrine": "open_pit",
        "information.uses_telecom": "yes",
        "information.uses_internet": "no",
        "information.has_information_device": "yes",
        "waste.collected_or_treated": "no",
    }
    form.update(changes)
    return form


APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "citizen_id": "001080012345",
    "phone": "0912 345 678",
    "consent": "yes",
}
