"""The officials' worklist, application list and file page: scope, filters, pages, the
comparison of the self-assessment with the official one, duplicates, and the audit of reads."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from node.models import Application, AuditEntry
from node.web import officials
from tests.builders import application_request
from tests.node.officials_helpers import html, new_application, sign_in, verified
from tests.node.review_helpers import act
from tests.node.test_portal import declare, submit, text

pytestmark = pytest.mark.usefixtures("fixed_clock")


def test_pages_need_sign_in(client):
    for path in ("/officials/", "/officials/applications", "/officials/applications/1"):
        response = client.get(path)
        assert response.status_code == 303
        assert "/officials/login" in response.headers["Location"]


def test_worklist_shows_what_is_due_overdue_first_in_red(client, db_session, team):
    early = new_application(client, team.officer)
    late = new_application(
        client,
        team.officer,
        applicant={
            "full_name": "Trần Văn Bình",
            "citizen_id": "001190054321",
            "phone": "0912000111",
        },
    )
    act(client, team.officer.bearer, early, "start_review")
    act(client, team.officer.bearer, late, "start_review")
    # Before today (Tue 24 Nov, a public holiday): Fri 20 and Mon 23 are the days overdue.
    db_session.get(Application, late).due_on = date(2026, 11, 19)
    db_session.commit()

    page = html(team.officer.get("/officials/"))

    assert page.index("Trần Văn Bình") < page.index("Nguyễn Thị Lan")
    assert "work-item--overdue" in page
    assert "quá hạn 2 ngày làm việc" in page
    assert "còn 15 ngày làm việc" in page  # the other one, due 15 Dec
    assert "Thẩm định tại hộ, sau đó họp dân" in page
    assert '<span class="count-number">2</span> Đang rà soát' in page


def test_a_village_head_sees_only_their_village(app, client, make_user, db_session, team):
    new_application(client, team.officer, village_code="00070-001")
    other_village = sign_in(app, make_user, db_session, "village_head", ["00070-002"])
    other = new_application(
        client,
        team.officer,
        village_code="00070-002",
        applicant={"full_name": "Lò Văn Páo", "citizen_id": "001190099999", "phone": "0912000222"},
    )

    mine = html(team.head.get("/officials/applications"))
    theirs = html(other_village.get("/officials/applications"))

    assert "Nguyễn Thị Lan" in mine
    assert "Lò Văn Páo" not in mine
    assert "Lò Văn Páo" in theirs
    assert "Nguyễn Thị Lan" not in theirs
    assert team.head.get(f"/officials/applications/{other}").status_code == 404


def test_an_official_of_another_commune_gets_404(app, client, make_user, db_session, team):
    app_id = new_application(client, team.officer)
    stranger = sign_in(app, make_user, db_session, "commune_officer", ["00073"])
    response = stranger.get(f"/officials/applications/{app_id}")
    assert response.status_code == 404
    assert "Nguyễn Thị Lan" not in html(response)
    assert team.officer.get("/officials/applications/999999").status_code == 404


def test_list_filters(client, team):
    first = new_application(client, team.officer)
    new_application(
        client,
        team.officer,
        kind="exit",
        applicant={
            "full_name": "Trần Văn Bình",
            "citizen_id": "001190054321",
            "phone": "0912000111",
        },
    )
    act(client, team.officer.bearer, first, "start_review")

    by_status = html(team.officer.get("/officials/applications?status=under_review"))
    by_kind = html(team.officer.get("/officials/applications?kind=exit"))
    by_year = html(team.officer.get("/officials/applications?period=2025"))

    assert "Nguyễn Thị Lan" in by_status
    assert "Trần Văn Bình" not in by_status
    assert "Trần Văn Bình" in by_kind
    assert "Nguyễn Thị Lan" not in by_kind
    assert "Không có hồ sơ nào phù hợp" in by_year
    bad = team.officer.get("/officials/applications?period=soon")
    assert bad.status_code == 422
    assert "Nhập năm, ví dụ 2026." in html(bad)


def test_list_has_pages(client, team, monkeypatch):
    monkeypatch.setattr(officials, "PER_PAGE", 2)
    for number in range(3):
        body = application_request()["applicant"] | {"citizen_id": f"00119000000{number}"}
        new_application(client, team.officer, applicant=body)
    first = html(team.officer.get("/officials/applications"))
    second = html(team.officer.get("/officials/applications?page=2"))
    assert "Trang 1/2" in first
    assert "Trang sau" in first
    assert "Trang 2/2" in second
    assert "Trang trước" in second
    assert first.count("<tr") == 3
    assert second.count("<tr") == 2


def test_overdue_filter(client, db_session, team):
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review")
    assert "Nguyễn Thị Lan" not in html(team.officer.get("/officials/applications?overdue=yes"))
    db_session.get(Application, app_id).due_on = date(2026, 11, 1)
    db_session.commit()
    page = html(team.officer.get("/officials/applications?overdue=yes"))
    assert "Nguyễn Thị Lan" in page
    assert "row--overdue" in page


def test_the_file_shows_the_official_assessment_beside_the_self_assessment(
    client, db_session, team
):
    app_id = new_application(client, team.officer)
    before = html(team.officer.get(f"/officials/applications/{app_id}"))
    assert "Chưa thẩm định" in before
    verified(client, team, app_id)

    page = html(team.officer.get(f"/officials/applications/{app_id}"))

    assert "Kết quả tự đánh giá và kết quả thẩm định" in page
    assert 'class="differs"' in page
    assert "đã thay đổi" in page
    assert "Nguồn nước sinh hoạt" in page  # an indicator now deprived, in words
    assert "Lò Thị Mai" in page  # the verified member's name
    assert "001085000111" in page
    reads = db_session.scalars(
        select(AuditEntry).where(AuditEntry.application_id == app_id, AuditEntry.action == "read")
    ).all()
    assert len(reads) == 2


def test_duplicates_are_flagged_with_a_link_and_settled(client, db_session, team):
    first = new_application(client, team.officer)
    second = new_application(
        client,
        team.officer,
        applicant={
            "full_name": "Nguyễn Văn Hùng",
            "citizen_id": "001085000111",
            "phone": "0912000333",
        },
    )
    verified(client, team, first)

    page = html(team.officer.get(f"/officials/applications/{first}"))
    assert "Có thể trùng lặp" in page
    assert f'href="/officials/applications/{second}"' in page

    flag_id = int(page.split(f"/officials/applications/{first}/duplicates/")[1].split('"')[0])
    version = db_session.get(Application, first).version
    empty = team.officer.post(
        f"/officials/applications/{first}/duplicates/{flag_id}", {"version": version}
    )
    assert empty.status_code == 422
    assert "Chọn cách xử lý." in html(empty)
    done = team.officer.post(
        f"/officials/applications/{first}/duplicates/{flag_id}",
        {"version": version, "resolution": "distinct"},
    )
    assert done.status_code == 303
    after = html(team.officer.get(f"/officials/applications/{first}"))
    assert "Hai hộ khác nhau: giữ cả hai" in after
    assert f"/duplicates/{flag_id}" not in after


def test_times_are_shown_in_vietnam(client, team):
    app_id = new_application(client, team.officer)
    page = html(team.officer.get(f"/officials/applications/{app_id}"))
    assert "24/11/2026 10:00" in page  # NOW is 03:00 UTC


def test_a_commune_officer_takes_in_a_paper_form_through_the_portal(client, db_session, login_web):
    """Recorded as proxy filing (channel paper, who filed it), even on the portal's own form
    (the workspace leads to its own page for it: tests/node/test_paper_intake.py)."""
    token = login_web("commune_officer")
    home = client.get("/officials/").get_data(as_text=True)
    assert "Nhận hồ sơ giấy" in home
    assert 'href="/officials/paper"' in home
    receipt = submit(client, text(declare(client)))
    assert receipt.status_code == 200
    application = db_session.scalar(select(Application))
    assert application.channel == "paper"
    assert application.filed_by_id is not None
    assert application.events[0].actor_role == "commune_officer"
    assert token


def test_a_resident_filing_stays_a_portal_filing(client, db_session):
    submit(client, text(declare(client)))
    application = db_session.scalar(select(Application))
    assert (application.channel, application.filed_by_id) == ("portal", None)
