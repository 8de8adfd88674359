"""Papers that get signed and sealed follow Decree 30/2020 (issue 19 §1): the unit's real type in
the heading, the signing block and mid-sentence, and the place-and-date line "Cửa Nam, ngày 24
tháng 11 năm 2026" — for a ward, a commune and a special zone alike."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import render_template
from openpyxl import load_workbook
from sqlalchemy import select

from node.models import Decision, Meeting, Posting
from node.services.certificates import CertificateMember, CertificateSheet
from node.services.report_files import named_list_xlsx, report_xlsx
from node.services.reports import Column, ReportTable
from node.services.worksheets import Paper, PaperRow
from node.web.paper_words import place_and_date, residence_line, unit_words
from shared.paper_words import bare_name, date_parts, place_and_date_vi
from tests.node.officials_helpers import html, new_application, posted
from tests.node.review_helpers import act

pytestmark = pytest.mark.usefixtures("fixed_clock")

WARD, COMMUNE, SPECIAL_ZONE = "00073", "00376", "06994"  # Cửa Nam, Sóc Sơn, Vân Đồn


def text_of(page: str) -> str:
    """The page's visible text, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(
    ("name", "bare"),
    [("Phường Cửa Nam", "Cửa Nam"), ("Xã Sóc Sơn", "Sóc Sơn"), ("Đặc khu Vân Đồn", "Vân Đồn"),
     ("Thành phố Hà Nội", "Hà Nội"), ("Lai Châu", "Lai Châu"), ("Xã", "Xã")],
)  # fmt: skip
def test_the_place_is_the_name_without_its_type(name, bare):
    assert bare_name(name) == bare


@pytest.mark.parametrize(
    ("day", "parts"),
    [(date(2026, 11, 24), ("24", "11", "2026")), (date(2026, 2, 5), ("05", "02", "2026")),
     (date(2026, 1, 31), ("31", "01", "2026")), (date(2026, 3, 9), ("09", "3", "2026"))],
)  # fmt: skip
def test_day_below_ten_and_months_one_and_two_take_a_zero(day, parts):
    assert date_parts(day) == parts


def test_the_place_and_date_line():
    assert place_and_date_vi("Phường Cửa Nam", date(2026, 11, 24)) == (
        "Cửa Nam, ngày 24 tháng 11 năm 2026"
    )


@pytest.mark.parametrize(
    ("code", "heading", "committee", "signing"),
    [(WARD, "ỦY BAN NHÂN DÂN PHƯỜNG CỬA NAM", "Ủy ban nhân dân phường Cửa Nam",
      "TM. ỦY BAN NHÂN DÂN PHƯỜNG"),
     (COMMUNE, "ỦY BAN NHÂN DÂN XÃ SÓC SƠN", "Ủy ban nhân dân xã Sóc Sơn",
      "TM. ỦY BAN NHÂN DÂN XÃ"),
     (SPECIAL_ZONE, "ỦY BAN NHÂN DÂN ĐẶC KHU VÂN ĐỒN", "Ủy ban nhân dân đặc khu Vân Đồn",
      "TM. ỦY BAN NHÂN DÂN ĐẶC KHU")],
)  # fmt: skip
def test_the_unit_words_follow_the_units_type(app, code, heading, committee, signing):
    with app.test_request_context("/"):
        words = unit_words(code)
        assert words.heading == heading
        assert words.committee == committee
        assert words.chair == f"Chủ tịch {committee}"
        assert words.signing_for == signing
        assert words.signing_title == "CHỦ TỊCH"
        assert place_and_date(code, date(2026, 2, 5)).endswith(", ngày 05 tháng 02 năm 2026")


def test_the_english_page_words_them_in_english(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            words = unit_words(WARD)
            assert words.committee == "People's Committee of Cửa Nam ward"
            assert words.signing_for == "ON BEHALF OF THE WARD PEOPLE'S COMMITTEE"
            assert place_and_date(WARD, date(2026, 11, 24)) == "Cửa Nam, 24/11/2026"


@pytest.mark.parametrize(
    ("address", "village", "code", "expected"),
    [("Số 12, Thôn Nà Tăm", "Thôn Nà Tăm", COMMUNE,
      "Số 12, Thôn Nà Tăm, xã Sóc Sơn, thành phố Hà Nội"),
     ("Số 5 ngõ 3", "Tổ dân phố 2", WARD,
      "Số 5 ngõ 3, Tổ dân phố 2, phường Cửa Nam, thành phố Hà Nội"),
     (None, "Bản Mồ", "12010", None)],
)  # fmt: skip
def test_the_residence_line_names_each_place_once_and_the_province(
    app, address, village, code, expected
):
    from shared import units

    with app.test_request_context("/"):
        if expected is None:  # a commune of Lai Châu: a tỉnh, written as such
            code = units.communes("12")[0].code
            line = residence_line(address, village, code)
            assert line.startswith("Bản Mồ, ")
            assert line.endswith(", tỉnh Lai Châu")
            return
        assert residence_line(address, village, code) == expected


def paper(code: str) -> Paper:
    rows = [
        PaperRow(1, "Nguyễn Văn Hùng", "Thôn 1", "poor", agreeing=7, passed=True),
        PaperRow(2, "Hà Văn Thắng", "Thôn 1", "near_poor", agreeing=3, passed=False),
    ]
    details = {
        "held_on": date(2026, 11, 24), "attendees": 10, "chaired_by": "Lò Văn Pằng",
        "starts_on": date(2026, 11, 24), "ends_on": date(2026, 11, 27),
        "number": "125/QĐ-UBND", "decided_on": date(2026, 11, 24),
        "outcomes": {1: {"outcome": "recognised", "reasons": None, "certificate": "1/GCN-HN.HCN"},
                     2: {"outcome": "refused", "reasons": "Thu nhập cao hơn chuẩn.",
                         "certificate": None}},
    }  # fmt: skip
    return Paper(1, code, "?", "Thôn 1", rows, details)


def certificate(code: str) -> CertificateSheet:
    return CertificateSheet(
        number="1/GCN-HN.HCN", classification="poor", period=2026, issued_on=date(2026, 11, 24),
        verification_code="x", decision_number="125/QĐ-UBND", decided_on=date(2026, 11, 24),
        head_name="Nguyễn Văn Hùng", head_ethnicity="Kinh", head_citizen_id="001085000111",
        address="Số 12, Thôn 1", village_name="Thôn 1", commune_code=code, commune_name="?",
        commune_kind="?", province_name="?",
        members=[CertificateMember("Nguyễn Văn Hùng", 1985, "head")],
    )  # fmt: skip


def render_papers(code: str) -> dict[str, str]:
    """Each signed paper of the unit, rendered by the real templates, as visible text."""
    return {
        "minutes": render_template("officials/minutes.html", paper=paper(code), copies=(1, 2)),
        "posting": render_template("officials/posting_list.html", paper=paper(code)),
        "decision": render_template("officials/decision_sheet.html", paper=paper(code)),
        "certificate": render_template(
            "officials/certificate.html", sheet=certificate(code), size="a4",
            verify_url="http://x/", qr="", application_id=1),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "type_upper", "type_lower", "name"),
    [(WARD, "PHƯỜNG", "phường", "Cửa Nam"), (COMMUNE, "XÃ", "xã", "Sóc Sơn")],
)
def test_the_papers_of_a_ward_and_of_a_commune(app, code, type_upper, type_lower, name):
    with app.test_request_context("/"):
        raw = render_papers(code)
    papers = {key: text_of(page) for key, page in raw.items()}
    other = {"PHƯỜNG": "XÃ", "XÃ": "PHƯỜNG"}[type_upper]
    for key, text in papers.items():
        assert f"ỦY BAN NHÂN DÂN {type_upper} {name.upper()}" in text, key
        assert f"{name}, ngày 24 tháng 11 năm 2026" in text, key
        assert f"ỦY BAN NHÂN DÂN {other}" not in text, key
        assert not re.search(r"UBND (xã|phường)", text, re.IGNORECASE), key
        assert f"{type_upper} {name}," not in text, key  # no capitalised type before the place
    for key in ("posting", "decision", "certificate"):
        # "TM. ỦY BAN NHÂN DÂN PHƯỜNG", then "CHỦ TỊCH" on its own line.
        signing = rf"<strong>TM\. ỦY BAN NHÂN DÂN {type_upper}</strong><br>"
        assert re.search(signing + r"<strong[^>]*>CHỦ TỊCH</strong>", raw[key]), key
    assert f"Ủy ban nhân dân {type_lower} {name}" in papers["posting"]
    assert f"Chủ tịch Ủy ban nhân dân {type_lower} {name}" in papers["certificate"]
    assert f"Chủ tịch Ủy ban nhân dân {type_lower} {name}" in papers["decision"]
    assert (
        f"Nơi cư trú Số 12, Thôn 1, {type_lower} {name}, thành phố Hà Nội"
        in (papers["certificate"])
    )
    minutes = papers["minutes"]
    assert "Bản 01/02" in minutes
    assert "Bản 02/02" in minutes
    assert "Đề nghị công nhận" in minutes
    assert "Thông qua" in minutes
    assert "Đồng ý<" not in minutes


def test_the_minutes_put_unit_and_village_on_two_lines(app):
    with app.test_request_context("/"):
        page = render_papers(WARD)["minutes"]
    assert re.search(
        r"<strong>ỦY BAN NHÂN DÂN PHƯỜNG CỬA NAM</strong><br><strong[^>]*>THÔN 1</strong>", page
    )


def test_a_wards_review_prints_its_papers_as_a_ward(client, db_session, team):
    """The real review in ward 00070 (Hoàn Kiếm): the papers it prints say "phường"."""
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    act(client, team.chair.bearer, app_id, "decide", number="125/QĐ-UBND",
        decided_on="2026-11-24", outcome="recognised")  # fmt: skip
    meeting = db_session.scalar(select(Meeting.id))
    posting = db_session.scalar(select(Posting.id))
    decision = db_session.scalar(select(Decision.id))
    pages = {
        "minutes": team.officer.get(f"/officials/meetings/{meeting}/minutes"),
        "posting": team.officer.get(f"/officials/postings/{posting}/list"),
        "decision": team.chair.get(f"/officials/decisions/{decision}"),
        "certificate": team.chair.get(f"/officials/applications/{app_id}/certificate"),
    }
    for key, response in pages.items():
        assert response.status_code == 200, key
        text = text_of(html(response))
        assert "ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM" in text, key
        assert re.search(r"Hoàn Kiếm, ngày \d\d tháng \d\d? năm 2026", text), key
        assert "ỦY BAN NHÂN DÂN XÃ" not in text, key
    certificate_text = text_of(html(pages["certificate"]))
    assert "TM. ỦY BAN NHÂN DÂN PHƯỜNG CHỦ TỊCH" in certificate_text
    assert "Chủ tịch Ủy ban nhân dân phường Hoàn Kiếm" in certificate_text
    assert "Hoàn Kiếm, ngày 24 tháng 11 năm 2026" in certificate_text


@pytest.mark.parametrize(
    ("unit_name", "lang", "expected"),
    [("Phường Cửa Nam", "vi", "Cửa Nam, ngày 05 tháng 02 năm 2026"),
     ("Thành phố Hà Nội", "vi", "Hà Nội, ngày 05 tháng 02 năm 2026"),
     ("Phường Cửa Nam", "en", "Cửa Nam, 05/02/2026")],
)  # fmt: skip
def test_the_report_workbooks_carry_the_place_and_date_line(unit_name, lang, expected):
    table = ReportTable(
        code="R1", title={"vi": "Kết quả", "en": "Results"}, unit_code="00073",
        unit_name=unit_name, period=2026,
        columns=[Column("poor", {"vi": "Hộ nghèo", "en": "Poor"})],
        rows=[{"code": "00073", "name": unit_name, "poor": 2}],
    )  # fmt: skip
    books = [
        report_xlsx(table, date(2026, 2, 5), lang),
        named_list_xlsx(table, iter(table.rows), date(2026, 2, 5), lang).read(),
    ]
    for book in books:
        sheet = load_workbook(io.BytesIO(book)).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        assert expected in values
