"""Actions on one application from its file page: start the review and assign, verify (the
village head's form), complaint, district opinion, withdraw — happy paths, Vietnamese messages
for bad input with nothing written, 403 for the wrong role, 404 outside the area, CSRF, and the
"someone else acted first" conflict."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from node.models import Application, Complaint, DistrictOpinion, Verification
from node.web.portal_form import input_id
from tests.node.officials_helpers import (
    html,
    new_application,
    posted,
    sign_in,
    verification_form,
    verified,
    version_of,
)
from tests.node.review_helpers import act

STALE = "Người khác đã thao tác trên hồ sơ này"


pytestmark = pytest.mark.usefixtures("fixed_clock")


def status_of(db_session, app_id):
    db_session.expire_all()
    return db_session.get(Application, app_id).status


def test_start_review_and_assign_the_village_head(client, db_session, team):
    app_id = new_application(client, team.officer)
    page = html(team.officer.get(f"/officials/applications/{app_id}"))
    assert "Bắt đầu rà soát" in page
    assert f'<option value="{team.head.user_id}">' in page

    response = team.officer.post(
        f"/officials/applications/{app_id}/start-review",
        {"version": version_of(client, team.officer, app_id), "assign_to": team.head.user_id},
    )

    assert response.status_code == 303
    application = db_session.get(Application, app_id)
    assert (application.status, application.assigned_to_id) == ("under_review", team.head.user_id)
    assert "Đã bắt đầu rà soát." in html(team.officer.get(response.headers["Location"]))


def test_a_stale_form_changes_nothing_and_says_why(client, db_session, team):
    app_id = new_application(client, team.officer)
    opened = version_of(client, team.officer, app_id)
    act(client, team.officer.bearer, app_id, "start_review")  # someone else, meanwhile

    response = team.officer.post(
        f"/officials/applications/{app_id}/assign",
        {"version": opened, "user_id": team.head.user_id},
    )

    assert response.status_code == 409
    assert STALE in html(response)
    assert db_session.get(Application, app_id).assigned_to_id is None


def test_a_reviewer_outside_the_village_is_refused_in_vietnamese(
    app, client, make_user, db_session, team
):
    app_id = new_application(client, team.officer)
    elsewhere = sign_in(app, make_user, db_session, "village_head", ["00070-002"])
    response = team.officer.post(
        f"/officials/applications/{app_id}/start-review",
        {"version": version_of(client, team.officer, app_id), "assign_to": elsewhere.user_id},
    )
    assert response.status_code == 422
    assert "Chọn trưởng thôn phụ trách thôn, bản, tổ dân phố của hộ này." in html(response)
    assert status_of(db_session, app_id) == "submitted"


def test_forms_need_the_csrf_token(client, db_session, team):
    app_id = new_application(client, team.officer)
    response = team.officer.post(
        f"/officials/applications/{app_id}/start-review",
        {"version": version_of(client, team.officer, app_id)},
        csrf=False,
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in html(response)
    assert status_of(db_session, app_id) == "submitted"


def test_the_wrong_role_gets_403_and_another_area_404(app, client, make_user, db_session, team):
    app_id = new_application(client, team.officer)
    version = version_of(client, team.officer, app_id)
    assert (
        team.head.post(
            f"/officials/applications/{app_id}/start-review", {"version": version}
        ).status_code
        == 403
    )
    stranger = sign_in(app, make_user, db_session, "commune_officer", ["00073"])
    assert (
        stranger.post(
            f"/officials/applications/{app_id}/start-review", {"version": version}
        ).status_code
        == 404
    )
    assert status_of(db_session, app_id) == "submitted"


def test_the_village_head_verifies_on_the_form(client, db_session, team):
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review", assign_to=team.head.user_id)
    page = html(team.head.get(f"/officials/applications/{app_id}/verify"))
    assert "Thẩm định hộ" in page
    assert 'value="Nguyễn Thị Lan"' in page  # the head's identity, from the application

    form = verification_form(team.head, app_id)
    form.update({
        "identities.0.ethnicity": "Tày",
        "water.source": "surface_water",
        "sanitation.latrine": "none",
        "housing.walls_durable": "no",
        "housing.roof_durable": "no",
        "address": "Số 5, xóm Đông",
    })  # fmt: skip
    response = team.head.post(f"/officials/applications/{app_id}/verify", form)

    assert response.status_code == 303, html(response)
    verification = db_session.scalar(select(Verification))
    assert verification.classification == "poor"
    assert verification.identities[0] == {
        "full_name": "Nguyễn Thị Lan",
        "citizen_id": "001190012345",
        "ethnicity": "Tày",
    }
    assert verification.head_address == "Số 5, xóm Đông"
    file_page = html(team.head.get(response.headers["Location"]))
    assert "Đã ghi nhận kết quả thẩm định." in file_page
    assert "Hộ nghèo" in file_page


def test_a_wrong_answer_is_named_in_vietnamese_and_nothing_is_written(client, db_session, team):
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review")
    form = verification_form(team.head, app_id)
    form["members.0.birth_date"] = "2030-01-01"
    form["income"] = ""
    form["identities.0.full_name"] = ""

    response = team.head.post(f"/officials/applications/{app_id}/verify", form)

    assert response.status_code == 422
    page = html(response)
    assert "Nhập thu nhập của cả gia đình, ví dụ" in page  # in the engine's own words
    assert "Nhập họ và tên thành viên." in page
    birth_error = page.split(f'id="e-{input_id("members.0.birth_date")}"')[1].split("</p>")[0]
    assert "Ngày sinh" in birth_error
    assert "hidden" not in birth_error
    assert db_session.scalar(select(func.count()).select_from(Verification)) == 0


def test_the_verification_form_takes_more_members(client, team):
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review")
    page = html(team.head.get(f"/officials/applications/{app_id}/verify?people=3"))
    assert 'name="identities.2.full_name"' in page
    assert 'name="members.2.birth_date"' in page


def test_a_stale_verification_is_refused(client, db_session, team):
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review")
    form = verification_form(team.head, app_id)
    act(client, team.officer.bearer, app_id, "assign", user_id=team.officer.user_id)
    response = team.head.post(f"/officials/applications/{app_id}/verify", form)
    assert response.status_code == 409
    assert STALE in html(response)
    assert db_session.scalar(select(func.count()).select_from(Verification)) == 0


def test_verification_is_only_for_applications_under_review(client, team):
    app_id = new_application(client, team.officer)
    response = team.head.get(f"/officials/applications/{app_id}/verify")
    assert response.status_code == 409
    assert "Hồ sơ này không ở bước chờ thẩm định." in html(response)
    assert team.chair.get(f"/officials/applications/{app_id}/verify").status_code == 403


def test_a_complaint_sends_the_household_back(client, db_session, team):
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    path = f"/officials/applications/{app_id}/complaint"
    version = version_of(client, team.officer, app_id)
    empty = team.officer.post(path, {"version": version, "content": " "})
    assert empty.status_code == 422
    assert "Ghi nội dung khiếu nại." in html(empty)
    assert status_of(db_session, app_id) == "posted"

    done = team.officer.post(
        path, {"version": version, "content": "Hộ có xe tải.", "received_on": "18/11/2026"}
    )

    assert done.status_code == 303
    assert status_of(db_session, app_id) == "under_review"
    assert db_session.scalar(select(Complaint.content)) == "Hộ có xe tải."


def test_district_opinion_when_configured(app, client, db_session, team, monkeypatch):
    monkeypatch.setitem(app.config, "DISTRICT_OPINION_REQUIRED", True)
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    assert "Ý kiến của cấp trên" in html(team.officer.get(f"/officials/applications/{app_id}"))
    path = f"/officials/applications/{app_id}/district-opinion"
    version = version_of(client, team.officer, app_id)
    bad = team.officer.post(path, {"version": version, "received_on": "2026-11-20"})
    assert bad.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(DistrictOpinion)) == 0
    done = team.officer.post(
        path, {"version": version, "received_on": "2026-11-20", "agrees": "yes"}
    )
    assert done.status_code == 303
    assert db_session.scalar(select(DistrictOpinion.agrees)) is True


def test_withdraw_at_the_residents_request(client, db_session, team):
    app_id = new_application(client, team.officer)
    verified(client, team, app_id)
    path = f"/officials/applications/{app_id}/withdraw"
    version = version_of(client, team.officer, app_id)
    unconfirmed = team.officer.post(path, {"version": version})
    assert unconfirmed.status_code == 422
    assert "Đánh dấu vào ô để xác nhận" in html(unconfirmed)
    assert status_of(db_session, app_id) == "under_review"
    done = team.officer.post(path, {"version": version, "confirm": "yes", "note": "Đơn ngày 20/11"})
    assert done.status_code == 303
    assert status_of(db_session, app_id) == "withdrawn"
