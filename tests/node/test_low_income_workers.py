"""Low-income workers on the node (issue 14 §1, Decree 30/2025): the chair's decision records
them on the household's status and its members, the commune reads their list (page, CSV, XLSX,
API; scoped and audited), and R1, the monthly and the annual report count them."""

from __future__ import annotations

import csv
import io
from importlib import import_module

import flask_migrate
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy import select

from node.extensions import db
from node.models import AuditEntry, HouseholdStatus, Snapshot
from node.models.households import Member
from node.services.aggregates import build_snapshot
from tests.builders import adult
from tests.node.officials_helpers import html
from tests.node.review_helpers import (
    NOW,
    act,
    application_id,
    submit,
    to_verified,
    verified_facts,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")

# The migration under test; the one before it is read from it, so a re-chained history still fits.
MIGRATION = import_module("node.migrations.versions.20261205_7a4c2e9b1d53_low_income_workers")
LIST = "/api/v1/low-income-workers"
PAGE = "/officials/lists/low-income-workers"
# Ward 00070 is urban: near-poor up to 2,000,000 đ a person, low-income workers up to 3,000,000.
HOUSEHOLDS = [
    # 2,500,000 đ a person: the employed head and the unemployed son are low-income workers.
    ("Lò Văn Pảng", "001085000301", "0912000301", 7_500_000),
    # 3,000,001 đ a person: above the line, nobody.
    ("Quàng Thị Ỏn", "001085000302", "0912000302", 9_000_003),
]


def decided(client, team, name, citizen_id, phone, income) -> dict:
    """A household of three (the head in work, his wife out of the labour force, their son out
    of work) verified with ``income`` a month, posted and recognised on 24/11/2026."""
    applicant = {"full_name": name, "citizen_id": citizen_id, "phone": phone}
    app_id = application_id(
        client, team["officer"], submit(client, applicant=applicant)["tracking_code"]
    )
    facts = verified_facts(income=income, poor=False)
    facts["members"] = [
        adult(),
        adult(relation="spouse", sex="female", birth_date="1987-01-02",
              employment="not_in_labour_force"),
        adult(relation="child", birth_date="2000-05-06", employment="unemployed"),
    ]  # fmt: skip
    identities = [
        {"full_name": full_name, "citizen_id": number, "ethnicity": "Thái"}
        for full_name, number in ((name, citizen_id), (f"{name} Vợ", None), (f"{name} Con", None))
    ]
    verified = to_verified(client, team["officer"], team["head"], app_id, team["head_id"], facts,
                           identities)  # fmt: skip
    act(client, team["head"], app_id, "record_meeting", held_on="2026-11-10", attendees=6,
        agreeing=6)  # fmt: skip
    act(client, team["officer"], app_id, "post", starts_on="2026-11-13")
    act(client, team["chair"], app_id, "decide", number="7/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    return verified


def test_the_decision_records_the_workers_on_the_status_and_the_members(client, team, db_session):
    answers = [decided(client, team, *household) for household in HOUSEHOLDS]
    assessments = [answer["verification"]["assessment"] for answer in answers]
    assert [a["low_income_workers"] for a in assessments] == [[0, 2], []]
    assert [a["low_income_line"] for a in assessments] == [3_000_000, 3_000_000]
    counts = db_session.scalars(select(HouseholdStatus.low_income_workers).order_by(
        HouseholdStatus.id)).all()  # fmt: skip
    assert counts == [2, 0]
    flags = db_session.execute(
        select(Member.full_name, Member.low_income_worker).order_by(Member.id)
    ).all()
    assert [name for name, flag in flags if flag] == ["Lò Văn Pảng", "Lò Văn Pảng Con"]
    assert len(flags) == 6

    listed = client.get(LIST, headers=team["officer"])

    assert listed.status_code == 200
    assert listed.headers["Cache-Control"] == "no-store"
    body = listed.get_json()
    assert (body["unit"], body["period"], body["count"]) == ("00070", 2026, 2)
    assert body["items"][1] == {
        "number": 2, "commune_code": "00070", "village": "Thôn 001",
        "full_name": "Lò Văn Pảng Con", "birth_year": 2000, "sex": "male",
        "head_name": "Lò Văn Pảng", "decided_on": "2026-11-24",
    }  # fmt: skip
    assert db_session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == (
        "list_low_income_workers"
    )


def test_the_list_keeps_to_the_officials_area(client, team, login_as):
    decided(client, team, *HOUSEHOLDS[0])
    assert client.get(LIST, headers=team["head"]).status_code == 403
    other = login_as("commune_officer", units=["00073"])
    assert client.get(LIST, headers=other).get_json()["count"] == 0
    assert client.get(f"{LIST}?unit=00070", headers=other).status_code == 404
    assert client.get(f"{LIST}?unit=00070&format=csv", headers=other).status_code == 404
    province = login_as("province_officer")
    assert client.get(LIST, headers=province).get_json()["count"] == 2
    assert client.get(f"{LIST}?unit=00070", headers=province).get_json()["count"] == 2
    assert client.get(f"{LIST}?period=20x6", headers=province).status_code == 422
    assert client.get(f"{LIST}?format=pdf", headers=province).status_code == 422
    assert client.get(f"{LIST}?period=2025", headers=province).get_json()["count"] == 0


def test_the_commune_reads_the_list_on_its_page_and_downloads_it(client, team, db_session):
    decided(client, team, *HOUSEHOLDS[0])
    decided(client, team, *HOUSEHOLDS[1])
    reports = html(team.officer.get("/officials/reports"))
    assert "Danh sách người lao động có thu nhập thấp" in reports
    assert "/officials/lists/low-income-workers?period=" in reports

    page = html(team.officer.get(f"{PAGE}?period=2026"))

    assert "Lò Văn Pảng Con" in page
    assert "Quàng Thị Ỏn" not in page  # above the line: no low-income worker
    assert "Lò Văn Pảng Vợ" not in page  # out of the labour force
    assert "2 người" in page
    assert "24/11/2026" in page
    assert "2000" in page
    assert f"{PAGE}.csv?unit=00070&amp;period=2026" in page
    assert team.head.get(PAGE).status_code == 403
    assert team.head.get(f"{PAGE}.csv").status_code == 403

    response = team.officer.get(f"{PAGE}.csv?unit=00070&period=2026")

    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][3:7] == ["Họ và tên người lao động", "Năm sinh", "Giới tính", "Họ và tên chủ hộ"]
    assert rows[1:] == [
        ["1", "00070", "Thôn 001", "Lò Văn Pảng", "1985", "Nam", "Lò Văn Pảng", "2026-11-24"],
        ["2", "00070", "Thôn 001", "Lò Văn Pảng Con", "2000", "Nam", "Lò Văn Pảng", "2026-11-24"],
    ]
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert actions.count("list_low_income_workers") == 2


def test_the_list_as_xlsx_keeps_numbers_as_numbers(client, team, login_as):
    decided(client, team, *HOUSEHOLDS[0])

    response = team.officer.get(f"{PAGE}.xlsx?unit=00070&period=2026")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "DANH SÁCH NGƯỜI LAO ĐỘNG CÓ THU NHẬP THẤP" in texts
    header = [c.value for c in sheet[7]]
    assert header == ["STT", "Xã, phường, đặc khu", "Thôn, bản, tổ dân phố",
                      "Họ và tên người lao động", "Năm sinh", "Giới tính", "Họ và tên chủ hộ",
                      "Ngày quyết định"]  # fmt: skip
    row = [c.value for c in sheet[9]]
    assert row == [2, "Phường Hoàn Kiếm", "Thôn 001", "Lò Văn Pảng Con", 2000, "Nam",
                   "Lò Văn Pảng", "24/11/2026"]  # fmt: skip
    assert sheet.cell(row=9, column=1).data_type == "n"
    assert sheet.cell(row=9, column=5).data_type == "n"
    assert sheet.cell(row=9, column=5).number_format == "0"  # 2000, not 2,000
    province = login_as("province_officer")
    english = client.get(f"{LIST}?period=2026&format=xlsx&lang=en", headers=province)
    assert english.status_code == 200
    sheet = load_workbook(io.BytesIO(english.data)).active
    assert [c.value for c in sheet[7]][3:6] == ["Worker's full name", "Birth year", "Sex"]
    assert [c.value for c in sheet[8]][5] == "Male"
    as_csv = client.get(f"{LIST}?period=2026&format=csv&lang=en", headers=province)
    assert as_csv.mimetype == "text/csv"
    assert "Lò Văn Pảng Con" in as_csv.get_data(as_text=True)


def test_r1_and_the_monthly_and_annual_reports_count_the_workers(client, team, login_as):
    for household in HOUSEHOLDS:
        decided(client, team, *household)
    province = login_as("province_officer")

    body = client.get("/api/v1/reports/R1?period=2026", headers=province).get_json()

    labels = {c["key"]: c["label"] for c in body["columns"]}
    assert labels["low_income_workers"] == "Số người lao động có thu nhập thấp"
    keys = [c["key"] for c in body["columns"]]
    assert keys.index("low_income_workers") == keys.index("average_livelihood") + 1
    row = next(r for r in body["rows"] if r["code"] == "00070")
    assert (row["average"], row["low_income_workers"]) == (1, 2)
    assert next(r for r in body["rows"] if r["code"] == "00073")["low_income_workers"] == 0
    assert next(t for t in body["totals"] if t["code"] == "total")["low_income_workers"] == 2
    page = html(team.officer.get("/officials/reports?form=R1&period=2026"))
    assert "Số người lao động có thu nhập thấp" in page
    r1_csv = client.get("/api/v1/reports/R1?period=2026&unit=00070&format=csv", headers=province)
    assert "Số người lao động có thu nhập thấp" in r1_csv.get_data(as_text=True)
    r1_xlsx = client.get("/api/v1/reports/R1?period=2026&unit=00070&format=xlsx",
                         headers=province)  # fmt: skip
    sheet = load_workbook(io.BytesIO(r1_xlsx.data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    title = next(c for c in cells if c.value == "Số người lao động có thu nhập thấp")
    figures = [sheet.cell(row=r, column=title.column) for r in range(title.row + 1, sheet.max_row)]
    assert 2 in [c.value for c in figures if c.data_type == "n"]

    month = client.get("/api/v1/monthly-reports?month=2026-11", headers=province).get_json()
    assert month["figures"]["low_income_workers"] == 2
    annual = client.get("/api/v1/annual-reports?period=2026", headers=province).get_json()
    assert next(t for t in annual["totals"] if t["code"] == "total")["low_income_workers"] == 2


def test_the_snapshot_carries_no_low_income_workers(client, team, db_session):
    decided(client, team, *HOUSEHOLDS[0])
    build_snapshot(db_session, "01", 2026, NOW)
    body = db_session.scalars(select(Snapshot.body)).first()
    assert "low_income" not in body
    assert "Lò Văn Pảng" not in body


def test_the_migration_adds_zero_and_false_and_drops_them(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision=MIGRATION.down_revision)
        for statement in (
            "INSERT INTO households (id, commune_code, area, head_name, head_citizen_id)"
            " VALUES (1, '00070', 'urban', 'A', '001085000111')",
            "INSERT INTO household_members (household_id, position, full_name, birth_date, sex,"
            " relation) VALUES (1, 1, 'A', '1985-03-04', 'male', 'head')",
            "INSERT INTO household_statuses (id, household_id, period, commune_code,"
            " classification, standard_id, area, ethnic_minority, fell_back, members_count,"
            " decided_on) VALUES (1, 1, 2026, '00070', 'average', 's', 'urban', false, false, 1,"
            " '2026-11-24')",
            # A deprivation row points at the status: the migration must not copy the table.
            "INSERT INTO status_deprivations (status_id, indicator, period, commune_code)"
            " VALUES (1, 'sanitation', 2026, '00070')",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()
        flask_migrate.upgrade()
        counts = db.session.execute(sa.text("SELECT low_income_workers FROM household_statuses"))
        assert [count for (count,) in counts] == [0]
        flags = db.session.execute(sa.text("SELECT low_income_worker FROM household_members"))
        assert [bool(flag) for (flag,) in flags] == [False]
        db.session.rollback()
        flask_migrate.downgrade(revision=MIGRATION.down_revision)
        inspector = sa.inspect(db.engine)
        assert "low_income_workers" not in {
            c["name"] for c in inspector.get_columns("household_statuses")
        }
        assert "low_income_worker" not in {
            c["name"] for c in inspector.get_columns("household_members")
        }
        flask_migrate.upgrade()
