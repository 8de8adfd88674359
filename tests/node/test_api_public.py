"""The node's public JSON API (DESIGN §5): units, standards, assessments."""

from __future__ import annotations

import json

import pytest

from node.services.places import add_village
from shared import units
from tests.builders import household


def test_units_without_parent_are_the_provinces_communes(client):
    response = client.get("/api/v1/units")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == len(units.communes("01"))
    first = items[0]
    assert set(first) >= {"code", "name", "level", "parent_code"}
    assert first["level"] == "commune"
    assert first["parent_code"] == "01"
    assert {item["area"] for item in items} == {"rural", "urban"}


def test_units_of_a_commune_are_its_villages(client, db_session):
    add_village(db_session, "00070", "Tổ dân phố số 1")
    add_village(db_session, "00070", "Tổ dân phố số 2", area="urban")
    add_village(db_session, "00073", "Tổ dân phố khác")
    response = client.get("/api/v1/units?parent=00070")
    assert response.status_code == 200
    assert response.get_json()["items"] == [
        {
            "code": "00070-001",
            "name": "Tổ dân phố số 1",
            "level": "village",
            "parent_code": "00070",
            "area": "urban",
        },
        {
            "code": "00070-002",
            "name": "Tổ dân phố số 2",
            "level": "village",
            "parent_code": "00070",
            "area": "urban",
        },
    ]


@pytest.mark.parametrize("parent", ["99999", "03388", "abc"])
def test_units_of_an_unknown_or_foreign_commune(client, parent):
    # 03388 is a commune of Lai Châu, not of this node's Hà Nội.
    response = client.get(f"/api/v1/units?parent={parent}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_standards_list(client):
    items = client.get("/api/v1/standards").get_json()["items"]
    assert [item["id"] for item in items] == ["VN-2022-2025", "VN-2027-2030"]
    assert items[0]["income_lines"] == {"rural": 1_500_000, "urban": 2_000_000}
    assert items[1]["average_lines"] is None
    assert "waste" in items[1]["indicators"]


def test_standard_detail_has_rules_and_questions(client):
    data = client.get("/api/v1/standards/VN-2027-2030").get_json()
    assert data["id"] == "VN-2027-2030"
    assert data["indicators"][0]["rule"]
    assert "waste.collected_or_treated" in data["questions"]["household"]
    assert "information.has_information_device" not in data["questions"]["household"]
    assert data["questions"]["member"]["sex"]["options"]["female"]["vi"] == "Nữ"


def test_unknown_standard(client):
    response = client.get("/api/v1/standards/VN-1990")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_assessment(client):
    response = client.post("/api/v1/assessments", json=household(monthly_income=1_400_000))
    assert response.status_code == 200
    result = response.get_json()
    assert result["classification"] == "near_poor"
    assert result["standard_id"] == "VN-2022-2025"
    assert result["reasons"][0]["code"] == "income"


def test_assessment_under_another_standard(client):
    response = client.post(
        "/api/v1/assessments?standard=VN-2027-2030", json=household(monthly_income=2_100_000)
    )
    assert response.status_code == 200
    assert response.get_json()["standard_id"] == "VN-2027-2030"
    assert response.get_json()["classification"] == "near_poor"
    response = client.post("/api/v1/assessments?standard=VN-1990", json=household())
    assert response.status_code == 422
    assert "standard" in response.get_json()["error"]["fields"]


def test_assessment_names_every_bad_field(client):
    facts = household(area="city")
    facts["members"][0]["birth_date"] = "2030-01-01"
    response = client.post("/api/v1/assessments", json=facts)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"area", "members.0.birth_date"}


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        (json.dumps(household()), "text/plain", 415),
        ("[1, 2]", "application/json", 422),
    ],
)
def test_assessment_bad_bodies(client, body, content_type, status):
    response = client.post("/api/v1/assessments", data=body, content_type=content_type)
    assert response.status_code == status
    assert "error" in response.get_json()


def test_oversized_body_is_refused(client):
    body = json.dumps({**household(), "padding": "x" * 300_000})
    response = client.post("/api/v1/assessments", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
