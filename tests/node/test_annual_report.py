"""The annual report at the end of the periodic review (issue 14 part 1): the year's results by
commune from the node's data, on a page, as XLSX and through the API."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.node.officials_helpers import html
from tests.node.test_aggregates import recognised  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("fixed_clock")
API = "/api/v1/annual-reports"
PAGE = "/officials/reports/annual"


def test_the_province_reads_the_years_results_by_commune(client, recognised, login_as):  # noqa: F811
    province = login_as("province_officer")
    body = client.get(f"{API}?period=2026", headers=province).get_json()

    keys = [c["key"] for c in body["columns"]]
    assert keys[:3] == ["poor_start", "exited_poor", "fell_back"]
    assert keys[-3:] == ["average", "average_livelihood", "low_income_workers"]
    row = next(r for r in body["rows"] if r["code"] == "00070")
    assert (row["poor_start"], row["new_poor"], row["poor"]) == (0, 2, 2)
    assert (row["new_near_poor"], row["near_poor"], row["exited_poor"]) == (1, 1, 0)
    total = next(t for t in body["totals"] if t["code"] == "total")
    assert (total["poor"], total["near_poor"]) == (2, 1)
    assert client.get(f"{API}?period=2025", headers=province).get_json()["totals"][-1]["poor"] == 0
    assert client.get(f"{API}?period=20x6", headers=province).status_code == 422
    assert client.get(f"{API}?format=pdf", headers=province).status_code == 422
    assert client.get(f"{API}?period=2026", headers=recognised["head"]).status_code == 403
    outsider = login_as("commune_officer", units=["00073"])
    assert client.get(f"{API}?unit=00070", headers=outsider).status_code == 404


def test_the_commune_reads_it_on_its_page_and_downloads_the_xlsx(recognised):  # noqa: F811
    officer = recognised.officer
    assert "/officials/reports/annual?period=2026" in html(officer.get("/officials/reports"))
    page = html(officer.get(f"{PAGE}?period=2026"))
    assert "Báo cáo kết quả rà soát định kỳ hộ nghèo, hộ cận nghèo" in page
    assert '<td class="num" data-key="new_poor">2</td>' in page

    response = officer.get(f"{PAGE}.xlsx?period=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert texts[0] == "ỦY BAN NHÂN DÂN"
    assert "BÁO CÁO KẾT QUẢ RÀ SOÁT ĐỊNH KỲ HỘ NGHÈO, HỘ CẬN NGHÈO" in texts
    assert not any(t.startswith("Biểu") for t in texts)
    assert any(", ngày 24 tháng 11 năm 2026" in t for t in texts)
    header = [c.value for c in sheet[7]]
    new_poor = sheet.cell(row=8, column=header.index("Số hộ nghèo phát sinh") + 1)
    assert new_poor.value == 2
    assert new_poor.data_type == "n"
    assert sheet.page_setup.orientation == "landscape"
