"""The certificate (Mẫu 03) page with its QR code, and the public page the QR code opens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from node.models import AuditEntry, Certificate
from tests.node.officials_helpers import html, new_application, posted, sign_in
from tests.node.review_helpers import act

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def recognised(client, team):
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    act(client, team.chair.bearer, app_id, "decide", number="125/QĐ-UBND",
        decided_on="2026-11-24", outcome="recognised")  # fmt: skip
    return app_id


def test_the_certificate_page(client, db_session, team, recognised):
    response = team.chair.get(f"/officials/applications/{recognised}/certificate")

    assert response.status_code == 200
    page = html(response)
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO" in page
    assert "1/GCN-HN.HCN" in page
    assert "Mẫu số 03" in page
    assert "Nguyễn Văn Hùng" in page
    assert "Lò Thị Mai" in page
    assert "001085000111" in page  # the head's ID number
    assert "Kinh" in page  # the head's ethnicity
    assert ">1985<" in page
    assert ">1987<" in page
    assert "Vợ/chồng" in page
    assert "Quyết định số 125/QĐ-UBND ngày 24/11/2026" in page
    assert "CHỦ TỊCH" in page
    assert "Có giá trị đến ngày 31/12/2026." in page
    assert "Lưu dưới dạng PDF" in page
    assert re.search(r'<svg[^>]*class="segno"', page)
    code = db_session.scalar(select(Certificate.verification_code))
    assert f"http://localhost/certificates/verify/{code}" in page
    assert db_session.scalar(select(AuditEntry.id).where(AuditEntry.action == "print_certificate"))


def test_a5_and_a4_print_layouts(team, recognised):
    a5 = html(team.officer.get(f"/officials/applications/{recognised}/certificate?size=a5"))
    assert "certificate--a5" in a5
    odd = html(team.officer.get(f"/officials/applications/{recognised}/certificate?size=x"))
    assert "certificate--a4" in odd


def test_who_may_print_it(app, make_user, db_session, team, recognised):
    assert team.head.get(f"/officials/applications/{recognised}/certificate").status_code == 403
    stranger = sign_in(app, make_user, db_session, "commune_chair", ["00073"])
    assert stranger.get(f"/officials/applications/{recognised}/certificate").status_code == 404


def test_no_certificate_for_an_undecided_application(client, team):
    app_id = new_application(client, team.officer)
    assert team.officer.get(f"/officials/applications/{app_id}/certificate").status_code == 404


def test_the_file_links_to_the_certificate(team, recognised):
    page = html(team.officer.get(f"/officials/applications/{recognised}"))
    assert f"/officials/applications/{recognised}/certificate" in page


def test_the_public_check_says_genuine_without_names(client, db_session, recognised):
    code = db_session.scalar(select(Certificate.verification_code))
    response = client.get(f"/certificates/verify/{code}")
    assert response.status_code == 200
    page = html(response)
    assert "Đúng và còn hiệu lực" in page
    assert "1/GCN-HN.HCN" in page
    assert "Nguyễn Văn Hùng" not in page
    assert "001085000111" not in page


def test_the_public_check_of_a_forged_code(client):
    response = client.get("/certificates/verify/forged-code")
    assert response.status_code == 404
    assert "Không tìm thấy" in html(response)
    assert client.get("/certificates/verify/" + "x" * 200).status_code == 404
