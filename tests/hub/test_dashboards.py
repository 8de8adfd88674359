"""The central office's dashboards: sign-in required, figures from the current snapshots, the
freshness board lists all 34 provinces, and every export opens and matches the page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hub.models import Node
from hub.services.pulls import store_snapshot
from hub.web.exports import HEADER_ROW
from hub.web.tables import area_label
from shared.units import province, provinces
from tests.hub.conftest import TEST_PASSWORD
from tests.hub.fakenode import make_snapshot

PAGES = [
    "/dashboard/",
    "/dashboard/?period=2024",
    "/dashboard/provinces/01?sort=poor_rate&dir=desc&hide_empty=1",
    "/dashboard/communes/00004",
    "/dashboard/trends?province=01",
    "/dashboard/impact",
    "/dashboard/impact?province=01",
    "/dashboard/signals",
    "/dashboard/tracker",
    "/dashboard/provinces/12",
    "/dashboard/trends",
    "/dashboard/deprivation",
    "/dashboard/deprivation?province=01",
    "/dashboard/freshness",
]
EXPORTS = [
    ("/dashboard/", "national", ""),
    ("/dashboard/", "provinces", ""),
    ("/dashboard/provinces/12", "communes", "code=12"),
    ("/dashboard/trends", "trends", ""),
    ("/dashboard/deprivation?province=01", "deprivation", "province=01"),
    ("/dashboard/freshness", "freshness", ""),
    ("/dashboard/tracker", "tracker", ""),
    ("/dashboard/impact", "impact", ""),
    ("/dashboard/impact", "drivers", ""),
    ("/dashboard/communes/00004", "commune", "code=00004"),
    ("/dashboard/trends?province=01", "trends", "code=01"),
]
CELL = re.compile(
    r'<td class="num" data-key="(?P<key>[^"]+)" data-value="(?P<value>[^"]*)">(?P<text>[^<]*)</td>'
)
TABLE = re.compile(r'<table class="data" id="table-(?P<name>[^"]+)"(?P<body>.*?)</table>', re.S)


@pytest.fixture
def figures(db_session):
    snapshots = [
        make_snapshot("01", 2025, scale=1, communes=4),
        make_snapshot("01", 2026, scale=2, communes=4),
        make_snapshot("12", 2026, scale=3, communes=3),
    ]
    for snapshot in snapshots:
        store_snapshot(db_session, snapshot, now=datetime.now(UTC))
    db_session.commit()
    return snapshots


def html_tables(html):
    """Each data table's numeric cells: name → [[(key, value), …] per row]."""
    tables = {}
    for match in TABLE.finditer(html):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", match["body"], re.S):
            cells = [(m["key"], m["value"]) for m in CELL.finditer(row)]
            if cells:
                rows.append(cells)
        tables[match["name"]] = rows
    return tables


@pytest.mark.parametrize("path", PAGES)
def test_dashboards_need_a_signed_in_central_user(client, path):
    response = client.get(path)

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_dashboards_render_in_vietnamese_without_scripts(client, signed_in, figures, path):
    response = client.get(path)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "<script" not in html
    assert "style=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_national_page_shows_totals_rates_and_provinces(client, signed_in, figures):
    html = client.get("/dashboard/?period=2026").get_data(as_text=True)

    assert "Tỷ lệ hộ nghèo (%)" in html
    assert "Tổng số hộ" in html
    assert "Hộ cận nghèo" in html
    assert "<svg" in html
    assert 'class="bar bar-poor_rate"' in html
    assert f'href="/dashboard/provinces/12?period=2026">{province("12").name}</a>' in html
    households = sum(row["households_total"] for s in figures[1:] for row in s["rows"])
    poor = sum(row["poor"] for s in figures[1:] for row in s["rows"])
    [totals] = [rows for name, rows in html_tables(html).items() if name == "national"]
    values = [value for row in totals for _key, value in row]
    assert str(households) in values
    assert str(round(100 * poor / households, 2)) in values
    # Vietnamese number format: dots group thousands.
    assert f">{households:,}<".replace(",", ".") in html
    assert "32 of 34" in html or "32 trên 34" in html


def test_english_switch(client, signed_in, figures):
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)

    assert '<html lang="en">' in html
    assert "Poor household rate (%)" in html


def test_period_choice_and_trends(client, signed_in, figures):
    older = client.get("/dashboard/?period=2025").get_data(as_text=True)
    trends = client.get("/dashboard/trends").get_data(as_text=True)

    assert province("12").name not in html_text_of_table(older, "provinces")
    # The published results of 2022–2024 first (no province count), then the nodes' periods.
    assert [row[0] for row in html_tables(trends)["trends"]] == [
        ("provinces", ""),
        ("provinces", ""),
        ("provinces", ""),
        ("provinces", "1"),
        ("provinces", "2"),
    ]


def html_text_of_table(html, name):
    match = next(m for m in TABLE.finditer(html) if m["name"] == name)
    return match["body"]


def test_deprivation_uses_the_indicator_names(client, signed_in, figures):
    html = client.get("/dashboard/deprivation?period=2026").get_data(as_text=True)

    assert "Việc làm" in html
    assert "Bảo hiểm y tế" in html
    employment = sum(row["deprived"]["employment"] for s in figures[1:] for row in s["rows"])
    assert f'data-value="{employment}"' in html


def test_freshness_board_lists_every_province_missing_and_stale(
    client, signed_in, nodes, register, pull, db_session
):
    register(nodes["12"])
    register(nodes["01"])
    pull()
    stale = db_session.scalar(select(Node).where(Node.province_code == "01"))
    stale.last_success_at = datetime.now(UTC) - timedelta(hours=4)
    stale.last_outcome, stale.last_error = "error", "The node answered HTTP 500."
    db_session.commit()

    html = client.get("/dashboard/freshness").get_data(as_text=True)

    body = html_text_of_table(html, "freshness")
    rows = re.findall(r"<tr( class=\"state-(\w+)\")?>", body)
    assert len(rows) == 1 + 34  # the heading row and every province
    states = [state for _, state in rows if state]
    assert states.count("missing") == 32
    assert states.count("stale") == 1
    assert states.count("fresh") == 1
    assert "The node answered HTTP 500." in body
    for item in provinces():
        assert item.name in body
    assert "Chưa kết nối" in body


@pytest.mark.parametrize(("page", "name", "query"), EXPORTS)
def test_exports_open_and_match_the_page(
    client, signed_in, figures, nodes, register, page, name, query
):
    register(nodes["12"])
    html = client.get(page).get_data(as_text=True)
    table_id = next(m["name"] for m in TABLE.finditer(html) if m["name"].startswith(name))
    shown = html_tables(html)[table_id]
    separator = "&" if query else ""

    xlsx = client.get(f"/dashboard/export/{name}.xlsx?{query}")
    csv_file = client.get(f"/dashboard/export/{name}.csv?{query}{separator}")

    assert xlsx.status_code == 200
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert f'filename="{table_id}.xlsx"' in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    headings = [cell.value for cell in sheet[HEADER_ROW]]
    data = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    reader = list(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert reader[0] == headings
    assert len(data) == len(reader) - 1
    if name != "freshness":
        assert data
        assert len(data) == len(shown)
    for row_cells, xlsx_row, csv_row in zip(shown, data, reader[1:], strict=False):
        for key, value in row_cells:
            index = _column_index(html, table_id, key)
            expected = None if value == "" else float(value)
            assert _number(xlsx_row[index]) == expected, (key, xlsx_row)
            assert _number(csv_row[index] or None) == expected, (key, csv_row)


def _number(value):
    return None if value is None else float(value)


def _column_index(html, table_id, key):
    body = html_text_of_table(html, table_id)
    first_row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", body, re.S)[1]
    keys = re.findall(r'data-key="([^"]+)"', first_row)
    return keys.index(key)


def test_exports_need_a_signed_in_user(client):
    assert client.get("/dashboard/export/provinces.csv").status_code == 303


@pytest.mark.parametrize(
    "path", ["/dashboard/export/provinces.pdf", "/dashboard/export/secrets.csv",
             "/dashboard/provinces/99", "/dashboard/export/communes.csv?code=99"],
)  # fmt: skip
def test_unknown_exports_and_provinces_are_404(client, signed_in, path):
    assert client.get(path).status_code == 404


def test_sign_in_and_out_on_the_web(client, make_user):
    user = make_user()
    page = client.get("/login?next=/dashboard/trends").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]

    wrong = client.post(
        "/login", data={"username": user.username, "password": "nope", "csrf_token": token}
    )
    right = client.post(
        "/login",
        data={
            "username": user.username,
            "password": TEST_PASSWORD,
            "csrf_token": token,
            "next": "/dashboard/trends",
        },
    )

    assert wrong.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in wrong.get_data(as_text=True)
    assert right.status_code == 302
    assert right.headers["Location"] == "/dashboard/trends"
    dashboard = client.get("/dashboard/trends")
    assert dashboard.status_code == 200
    logout_token = re.search(
        r'name="csrf_token" value="([^"]+)"', dashboard.get_data(as_text=True)
    )[1]
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
    assert client.get("/dashboard/trends").status_code == 303


def test_sign_in_needs_the_csrf_token(client, make_user):
    user = make_user()

    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})

    assert response.status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_sign_in_never_redirects_elsewhere(client, make_user, target):
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]

    response = client.post(
        "/login",
        data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token,
              "next": target},
    )  # fmt: skip

    assert response.headers["Location"] == "/dashboard/"


def test_the_unit_tables_carry_the_combined_count_and_the_persons(client, signed_in, figures):
    """R1 as the hub shows it (issue 14 §2): poor + near-poor, its rate, and the persons."""
    html = client.get("/dashboard/").get_data(as_text=True)
    [rows] = [rows for name, rows in html_tables(html).items() if name.startswith("provinces")]
    assert rows
    for cells in rows:
        values = {key: float(value) if value else None for key, value in cells}
        assert values["poor_near_poor"] == values["poor"] + values["near_poor"]
        assert values["members_poor"] is not None
        assert values["members_near_poor"] is not None
        total = values["households_total"]
        assert values["poor_near_poor_rate"] == round(100 * values["poor_near_poor"] / total, 2)
    # Shown in the Vietnamese format: a decimal comma, two decimals for every rate, thousands dots.
    shown = {m["key"]: m["text"] for m in CELL.finditer(html) if m["value"]}
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}", shown["poor_near_poor_rate"])
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", shown["households_total"])


def test_the_area_measures_are_named_by_the_period_s_standard(app):
    """Decree 351/2025 says "khu vực đô thị" (issue 14 §5): the hub's headings follow it."""
    with app.test_request_context("/"):
        assert area_label("poor_urban", 2027) == "Hộ nghèo khu vực đô thị"
        assert area_label("near_poor_urban", 2026) == "Hộ cận nghèo khu vực thành thị"
        assert area_label("poor", 2027) is None
    with app.test_request_context("/?lang=en"):
        assert area_label("poor_urban", 2027) == "Poor households, urban area"


def test_an_xlsx_export_prints_on_a4_landscape_with_its_header_frozen(client, signed_in, figures):
    sheet = load_workbook(io.BytesIO(client.get("/dashboard/export/provinces.xlsx").data)).active
    headings = [cell.value for cell in sheet[HEADER_ROW]]
    first = dict(zip(headings, sheet[HEADER_ROW + 1], strict=True))

    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    rate = next(cell for name, cell in first.items() if "(%)" in str(name))
    assert isinstance(rate.value, float)
    assert rate.number_format == "#,##0.00"
