"""What a province would send back (issue 14 §2): R1's combined rate and person counts, R5's
files with headers over their own values, the members and, province-wide, the commune."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.node import test_aggregates
from tests.node.officials_helpers import sign_in

recognised = test_aggregates.recognised  # three households in 00070: poor, poor, near-poor
pytestmark = pytest.mark.usefixtures("fixed_clock", "signing_key_file")
signing_key_file = test_aggregates.signing_key_file

R5_HEADERS = ["STT", "Họ và tên chủ hộ", "Thôn, bản, tổ dân phố", "Phân loại", "Số nhân khẩu",
              "Họ và tên các thành viên", "Số giấy chứng nhận"]  # fmt: skip


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.data[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_r1_has_the_combined_rate_and_the_persons(client, team, recognised):
    body = client.get("/api/v1/reports/R1?period=2026", headers=team["officer"]).get_json()
    [row] = body["rows"]
    keys = [column["key"] for column in body["columns"]]

    assert keys.index("near_poor_rate") < keys.index("poor_near_poor") < keys.index("average")
    # The form's source, and that its number in the annex is not confirmed (not guessed).
    assert body["basis"].startswith("Căn cứ: Phụ lục VII Thông tư số 07/2021/TT-BLĐTBXH")
    assert "chưa được đối chiếu" in body["basis"]
    assert (row["poor"], row["near_poor"], row["poor_near_poor"]) == (2, 1, 3)
    assert row["poor_near_poor_rate"] == 100.0  # every household of the commune is listed
    assert (row["members_poor"], row["members_near_poor"]) == (4, 2)
    labels = _csv(team.officer.get("/officials/reports/R1.csv?period=2026"))[0]
    assert "Tỷ lệ hộ nghèo đa chiều (hộ nghèo và hộ cận nghèo) (%)" in labels
    assert "Số nhân khẩu hộ nghèo" in labels


def test_r1_province_total_sums_the_combined_count(app, make_user, db_session, recognised):
    officer = sign_in(app, make_user, db_session, "province_officer")
    body = officer.get("/officials/reports/R1.csv?period=2026")
    rows = _csv(body)
    total = next(row for row in rows if row[1] == "Toàn tỉnh")
    header = rows[0]
    assert total[header.index("Tổng số hộ nghèo và hộ cận nghèo")] == "3"
    assert total[header.index("Số nhân khẩu hộ cận nghèo")] == "2"


def test_r5_csv_of_a_commune_puts_each_value_under_its_header(team, recognised):
    rows = _csv(team.chair.get("/officials/reports/R5.csv?period=2026"))

    assert rows[0] == R5_HEADERS
    assert all(len(row) == len(R5_HEADERS) for row in rows[1:])
    by_head = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    hung = by_head["Nguyễn Văn Hùng"]
    assert hung["Họ và tên các thành viên"] == "Nguyễn Văn Hùng, Nguyễn Văn Hùng Con"
    assert hung["Phân loại"] == "Hộ nghèo"
    assert hung["Số nhân khẩu"] == "2"
    assert "/GCN-" in hung["Số giấy chứng nhận"]


def test_a_province_wide_r5_names_the_commune_in_every_file(app, make_user, db_session, recognised):
    officer = sign_in(app, make_user, db_session, "province_officer")
    rows = _csv(officer.get("/officials/reports/R5.csv?period=2026"))
    book = load_workbook(io.BytesIO(officer.get("/officials/reports/R5.xlsx?period=2026").data))
    sheet = book.active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(cells) if row and row[0] == "STT")
    body = officer.get("/api/v1/reports/R5?period=2026&format=json").get_json()

    expected = [R5_HEADERS[0], "Xã, phường, đặc khu", *R5_HEADERS[1:]]
    assert rows[0] == expected
    assert {row[1] for row in rows[1:]} == {"Phường Hoàn Kiếm"}
    assert list(cells[header_at][: len(expected)]) == expected
    first = dict(zip(expected, cells[header_at + 1], strict=False))
    assert first["Xã, phường, đặc khu"] == "Phường Hoàn Kiếm"
    assert first["Số nhân khẩu"] == 2  # a number, not text
    assert ", " in first["Họ và tên các thành viên"]
    assert body["rows"][0]["commune"] == "Phường Hoàn Kiếm"
    assert len(body["rows"][0]["member_names"]) == 2


def test_the_page_shows_the_members_as_a_column_of_the_form(team, recognised):
    page = team.chair.get("/officials/reports?form=R5&period=2026").get_data(as_text=True)
    assert '<th scope="col">Họ và tên các thành viên</th>' in page
    assert "Nguyễn Văn Hùng, Nguyễn Văn Hùng Con" in page
