"""Report forms on the web: the HTML table, CSV and XLSX for the official's unit, R5 audited."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from node.models import AuditEntry
from tests.node.officials_helpers import html, new_application, posted, sign_in
from tests.node.review_helpers import act

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def recognised(client, team):
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    act(client, team.chair.bearer, app_id, "decide", number="1/QĐ", decided_on="2026-11-24",
        outcome="recognised")  # fmt: skip
    return app_id


def test_r1_for_the_commune(team, recognised):
    page = html(team.officer.get("/officials/reports?form=R1&period=2026"))
    assert "Tổng hợp kết quả rà soát hộ nghèo" in page
    row = page.split("<tbody>")[1].split("</tr>")[0]
    assert "Phường Hoàn Kiếm" in row
    assert '<td class="num">1</td>' in row  # one poor household
    assert "/officials/reports/R1.xlsx" in page
    assert "/officials/reports/R1.csv" in page


def test_downloads(team, recognised):
    csv = team.officer.get("/officials/reports/R1.csv?period=2026")
    assert csv.status_code == 200
    assert csv.mimetype == "text/csv"
    assert "Số hộ nghèo" in csv.get_data(as_text=True)
    xlsx = team.officer.get("/officials/reports/R3.xlsx?period=2026")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.active.title == "R3"
    assert team.officer.get("/officials/reports/R9.csv").status_code == 404


def test_r5_names_households_and_is_audited(db_session, team, recognised):
    page = html(team.chair.get("/officials/reports?form=R5&period=2026"))
    assert "Nguyễn Văn Hùng" in page
    assert "Lò Thị Mai" in page
    assert "nhật ký truy cập" in page
    assert db_session.scalar(select(AuditEntry.id).where(AuditEntry.action == "report_r5"))


def test_the_province_chooses_a_unit(app, make_user, db_session, team, recognised):
    officer = sign_in(app, make_user, db_session, "province_officer")
    province = html(officer.get("/officials/reports?form=R4&period=2026"))
    assert "Toàn tỉnh" in province
    commune = html(officer.get("/officials/reports?form=R1&period=2026&unit=00070"))
    assert 'value="00070" selected' in commune
    assert officer.get("/officials/reports?unit=79999").status_code == 404


def test_who_may_see_reports(team):
    assert team.head.get("/officials/reports").status_code == 403
    assert team.head.get("/officials/reports/R5.csv").status_code == 403
    assert team.officer.get("/officials/reports?unit=00073").status_code == 404
