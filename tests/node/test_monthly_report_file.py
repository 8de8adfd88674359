"""The regular review's monthly report as XLSX (issue 14 part 1): the printed layout of the
other report files, numbers as numbers, opened back with openpyxl."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.node.officials_helpers import html
from tests.node.test_aggregates import recognised  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("fixed_clock")
API = "/api/v1/monthly-reports"


def opened(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def cells(sheet) -> list[str]:
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def test_the_commune_downloads_its_month_as_xlsx(recognised):  # noqa: F811
    officer = recognised.officer
    page = html(officer.get("/officials/reports/monthly?month=2026-08"))
    assert "/officials/reports/monthly.xlsx?month=2026-08" in page

    sheet = opened(officer.get("/officials/reports/monthly.xlsx?month=2026-11"))
    texts = cells(sheet)
    assert texts[0] == "ỦY BAN NHÂN DÂN"  # the issuing agency, top left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "BÁO CÁO THÁNG KẾT QUẢ RÀ SOÁT THƯỜNG XUYÊN" in texts
    assert any(t.endswith("Tháng 11/2026") for t in texts)
    assert any(", ngày 24 tháng 11 năm 2026" in t for t in texts)  # the place-and-date line
    rows = {row[1].value: row[2] for row in sheet.iter_rows(min_row=8, max_row=15)}
    new_poor = rows["Hộ nghèo phát sinh được công nhận"]
    assert new_poor.value == 2
    assert new_poor.data_type == "n"
    assert rows["Hộ cận nghèo phát sinh được công nhận"].value == 1
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.freeze_panes == "A8"


def test_the_api_gives_the_province_the_same_file(client, recognised, login_as):  # noqa: F811
    province = login_as("province_officer")
    sheet = opened(client.get(f"{API}?month=2026-08&format=xlsx&lang=en", headers=province))
    texts = cells(sheet)
    assert "DEPARTMENT OF AGRICULTURE AND ENVIRONMENT" in texts
    assert "Due on 05/09/2026" in texts
    assert [c.value for c in sheet[7]] == ["No.", "Item", "Count", "Notes"]
    assert client.get(f"{API}?month=2026-08&format=pdf", headers=province).status_code == 422
    assert client.get(f"{API}?month=2026-08&format=xlsx", headers=recognised["head"]
                      ).status_code == 403  # fmt: skip
