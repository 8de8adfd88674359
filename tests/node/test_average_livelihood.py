"""The list of farming, forestry, fishery and salt households with an average living standard
(issue 14 part 1, Decision 24/2021 Art. 3): the verified facts name the main livelihood, the
chair's decision records the household on the list, and the commune reads the list."""

from __future__ import annotations

import csv
import io
import re

import flask_migrate
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy import select

from node.extensions import db
from node.models import Application, AuditEntry, HouseholdStatus, Verification
from shared.standards import facts_catalog
from tests.builders import adult
from tests.node.officials_helpers import html, new_application, verification_form
from tests.node.portal_helpers import APPLICANT, COMMUNE, household_form
from tests.node.review_helpers import act, application_id, submit, to_verified, verified_facts

pytestmark = pytest.mark.usefixtures("fixed_clock")

APPLICANTS = [
    ("Lò Văn Pảng", "001085000301", "0912000301", "fishery"),
    ("Quàng Thị Ỏn", "001085000302", "0912000302", "other"),
]
LIST = "/api/v1/lists/average-livelihood"
LIVELIHOOD_LABEL = facts_catalog()["fields"]["main_income_source"]["label"]["vi"]


def decided(client, team, name, citizen_id, phone, source) -> dict:
    """An application verified with an average income (3,000,000 đ a person, above the urban
    near-poor line: ward 00070 is urban, and the area follows the units) and the
    main livelihood ``source``, taken through the meeting and posting, recognised."""
    applicant = {"full_name": name, "citizen_id": citizen_id, "phone": phone}
    app_id = application_id(
        client, team["officer"], submit(client, applicant=applicant)["tracking_code"]
    )
    facts = verified_facts(income=6_000_000, poor=False)
    facts["members"] = [adult(), adult(relation="spouse", sex="female", birth_date="1987-01-02")]
    facts["main_income_source"] = source
    identities = [{"full_name": name, "citizen_id": citizen_id, "ethnicity": "Thái"},
                  {"full_name": f"{name} Vợ", "citizen_id": None, "ethnicity": "Thái"}]  # fmt: skip
    verified = to_verified(client, team["officer"], team["head"], app_id, team["head_id"], facts,
                           identities)  # fmt: skip
    act(client, team["head"], app_id, "record_meeting", held_on="2026-11-10", attendees=6,
        agreeing=6)  # fmt: skip
    act(client, team["officer"], app_id, "post", starts_on="2026-11-13")
    act(client, team["chair"], app_id, "decide", number="7/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    return verified


def test_the_decision_puts_a_fishing_household_of_average_standard_on_the_list(
    client, team, db_session
):
    answers = [decided(client, team, *applicant) for applicant in APPLICANTS]
    assessments = [answer["verification"]["assessment"] for answer in answers]
    assert [a["classification"] for a in assessments] == ["average", "average"]
    assert [a["average_livelihood"] for a in assessments] == [True, False]
    flags = db_session.scalars(select(HouseholdStatus.average_livelihood).order_by(
        HouseholdStatus.id)).all()  # fmt: skip
    assert flags == [True, False]

    listed = client.get(LIST, headers=team["officer"])

    assert listed.status_code == 200
    body = listed.get_json()
    assert (body["unit"], body["period"], body["count"]) == ("00070", 2026, 1)
    assert body["items"][0]["head_name"] == "Lò Văn Pảng"
    assert body["items"][0]["members"] == 2
    assert db_session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == (
        "list_average_livelihood"
    )


def test_the_list_keeps_to_the_officials_area(client, team, login_as):
    decided(client, team, *APPLICANTS[0])
    assert client.get(LIST, headers=team["head"]).status_code == 403
    other = login_as("commune_officer", units=["00073"])
    assert client.get(LIST, headers=other).get_json()["count"] == 0
    assert client.get(f"{LIST}?unit=00070", headers=other).status_code == 404
    province = login_as("province_officer")
    assert client.get(LIST, headers=province).get_json()["count"] == 1
    assert client.get(f"{LIST}?period=20x6", headers=province).status_code == 422


def test_the_migration_adds_the_flag_false_and_drops_it(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision="5c1e7a3d9f20")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("household_statuses")}
        assert "average_livelihood" not in columns
        # A status that a deprivation row points at: the migration must not copy the table.
        for statement in (
            "INSERT INTO households (id, commune_code, area, head_name, head_citizen_id)"
            " VALUES (1, '00070', 'rural', 'A', '001085000111')",
            "INSERT INTO household_statuses (id, household_id, period, commune_code,"
            " classification, standard_id, area, ethnic_minority, fell_back, members_count,"
            " decided_on) VALUES (1, 1, 2026, '00070', 'average', 's', 'rural', false, false, 2,"
            " '2026-11-24')",
            "INSERT INTO status_deprivations (status_id, indicator, period, commune_code)"
            " VALUES (1, 'sanitation', 2026, '00070')",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()
        flask_migrate.upgrade()
        flags = db.session.execute(sa.text("SELECT average_livelihood FROM household_statuses"))
        assert [bool(flag) for (flag,) in flags] == [False]
        db.session.rollback()
        flask_migrate.downgrade(revision="5c1e7a3d9f20")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("household_statuses")}
        assert "average_livelihood" not in columns
        flask_migrate.upgrade()


def test_the_village_head_records_the_main_livelihood_on_the_form(client, team, db_session):
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review", assign_to=team.head.user_id)
    page = html(team.head.get(f"/officials/applications/{app_id}/verify"))
    assert LIVELIHOOD_LABEL in page
    assert facts_catalog()["fields"]["main_income_source"]["options"]["salt"]["vi"] in page

    form = verification_form(team.head, app_id)
    form.update({"main_income_source": "salt", "income": "2100000", "address": "Xóm Bãi"})
    response = team.head.post(f"/officials/applications/{app_id}/verify", form)

    assert response.status_code == 303, html(response)
    verification = db_session.scalar(select(Verification))
    assert verification.facts["main_income_source"] == "salt"
    assert verification.classification == "average"
    assert verification.assessment["average_livelihood"] is True
    again = verification_form(team.head, app_id)  # a second verification starts from it
    assert again["main_income_source"] == "salt"
    form["main_income_source"] = "mining"
    refused = team.head.post(f"/officials/applications/{app_id}/verify", form)
    assert refused.status_code == 422


def test_the_commune_reads_the_list_on_its_page(client, team, db_session):
    decided(client, team, *APPLICANTS[0])
    decided(client, team, *APPLICANTS[1])
    reports = html(team.officer.get("/officials/reports"))
    assert "Danh sách hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp" in reports

    page = html(team.officer.get("/officials/lists/average-livelihood?period=2026"))

    assert "Lò Văn Pảng" in page
    assert "Quàng Thị Ỏn" not in page  # average, but not from farming, forestry, fishery or salt
    assert "1 hộ" in page
    assert "24/11/2026" in page
    assert team.head.get("/officials/lists/average-livelihood").status_code == 403
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert "list_average_livelihood" in actions


def test_a_resident_declares_the_main_livelihood_on_the_portal(client, db_session):
    page = html(client.get(f"/declare?commune={COMMUNE}&people=2"))
    assert LIVELIHOOD_LABEL in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    # 2,200,000 đ a person: average in a rural or an urban area alike.
    form = household_form(income="4400000", main_income_source="fishery")
    assessment = client.post("/declare", data={"csrf_token": token, **form})
    assert assessment.status_code == 200
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html(assessment)))
    receipt = client.post("/declare/submit", data={**fields, **APPLICANT})
    assert receipt.status_code == 200, html(receipt)
    application = db_session.scalar(select(Application))
    assert application.declared_facts["main_income_source"] == "fishery"
    assert application.self_assessment["average_livelihood"] is True


def test_the_list_downloads_as_csv(client, team, db_session):
    decided(client, team, *APPLICANTS[0])
    page = html(team.officer.get("/officials/lists/average-livelihood?period=2026"))
    assert "/officials/lists/average-livelihood.csv?unit=00070&amp;period=2026" in page

    response = team.officer.get("/officials/lists/average-livelihood.csv?unit=00070&period=2026")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][3] == "Họ và tên chủ hộ"
    assert rows[1:] == [["1", "00070", "Thôn 001", "Lò Văn Pảng", "2", "2026-11-24"]]
    assert team.head.get("/officials/lists/average-livelihood.csv").status_code == 403


def test_the_list_downloads_as_xlsx_in_the_form_layout(client, team, db_session, login_as):
    decided(client, team, *APPLICANTS[0])
    page = html(team.officer.get("/officials/lists/average-livelihood?period=2026"))
    assert "/officials/lists/average-livelihood.xlsx?unit=00070&amp;period=2026" in page

    response = team.officer.get("/officials/lists/average-livelihood.xlsx?unit=00070&period=2026")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert texts[0] == "ỦY BAN NHÂN DÂN"
    assert "DANH SÁCH HỘ LÀM NÔNG NGHIỆP, LÂM NGHIỆP, NGƯ NGHIỆP VÀ DIÊM NGHIỆP CÓ MỨC SỐNG " \
        "TRUNG BÌNH" in texts  # fmt: skip
    assert not any(t.startswith("Biểu") for t in texts)  # no form number is confirmed
    assert any(", ngày 24 tháng 11 năm 2026" in t for t in texts)
    header = [c.value for c in sheet[7]]
    assert header[3] == "Họ và tên chủ hộ"
    row = [c.value for c in sheet[8]]
    assert row[1:4] == ["Phường Hoàn Kiếm", "Thôn 001", "Lò Văn Pảng"]
    assert (row[0], row[4], row[5]) == (1, 2, "24/11/2026")
    assert sheet.cell(row=8, column=5).data_type == "n"
    assert sheet.page_setup.orientation == "landscape"
    province = login_as("province_officer")
    answer = client.get(f"{LIST}?period=2026&format=xlsx&lang=en", headers=province)
    assert answer.status_code == 200
    english = load_workbook(io.BytesIO(answer.data)).active
    assert [c.value for c in english[7]][3] == "Head of household"
    assert client.get(f"{LIST}?format=pdf", headers=province).status_code == 422
    assert team.head.get("/officials/lists/average-livelihood.xlsx").status_code == 403
    audits = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "list_average_livelihood")
    ).all()
    assert len(audits) >= 3


def test_r1_counts_the_list_beside_the_average_households(client, team, login_as):
    for applicant in APPLICANTS:
        decided(client, team, *applicant)
    province = login_as("province_officer")

    body = client.get("/api/v1/reports/R1?period=2026", headers=province).get_json()

    labels = {c["key"]: c["label"] for c in body["columns"]}
    assert labels["average_livelihood"] == (
        "Hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp, diêm nghiệp có mức sống trung bình"
    )
    row = next(r for r in body["rows"] if r["code"] == "00070")
    assert (row["average"], row["average_livelihood"]) == (2, 1)
    other = next(r for r in body["rows"] if r["code"] == "00073")
    assert other["average_livelihood"] == 0
    total = next(t for t in body["totals"] if t["code"] == "total")
    assert total["average_livelihood"] == 1
    commune = client.get("/api/v1/reports/R1?period=2026", headers=team["officer"]).get_json()
    assert [r["average_livelihood"] for r in commune["rows"]] == [1]
