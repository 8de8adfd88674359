"""Issue 15 part 8: the resident's status page shows the next step and its dates (the posting's
last day, the day the chair decides by) and who, by role, read or changed the file."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from node.models import Posting
from tests.node.review_helpers import application_id, submit, to_posted

pytestmark = pytest.mark.usefixtures("fixed_clock")


def status_page(client, code: str, proof: str = "0912345678") -> str:
    page = client.get("/status").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(
        "/status", data={"csrf_token": token, "tracking_code": code, "proof": proof}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_file_says_what_comes_next_and_that_nobody_opened_it(client, team):
    code = submit(client)["tracking_code"]
    page = status_page(client, code)
    assert "Tiếp theo: UBND xã bắt đầu rà soát" in page
    assert "Chưa có cán bộ nào mở hồ sơ." in page


def test_a_posted_file_shows_the_posting_end_the_decision_due_and_who_read_or_changed_it(
    client, team, db_session
):
    code = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], code)
    client.get(f"/api/v1/applications/{app_id}", headers=team["officer"])  # a read
    to_posted(client, team["officer"], team["head"], app_id, team["head_id"])

    page = status_page(client, code)

    step = page.split('id="next-step"')[1].split("</div>")[0]
    ends_on = db_session.scalar(select(Posting.ends_on))
    assert f"Niêm yết công khai đến hết ngày {ends_on:%d/%m/%Y}" in step
    due = client.get(f"/api/v1/applications/{app_id}", headers=team["officer"]).get_json()
    day = "/".join(reversed(due["due_on"].split("-")))
    assert f"Chủ tịch UBND xã quyết định chậm nhất ngày {day}" in step
    accesses = page.split('id="accesses"')[1].split("</ol>")[0]
    assert "Công chức xã: đã xem hồ sơ" in accesses
    assert "Trưởng thôn: Đã thẩm định thông tin của hộ" in accesses
    # Roles only: never an official's user name.
    assert "commune.officer" not in accesses
    assert "village.head" not in accesses


def test_a_decided_file_has_no_next_step(client, team):
    code = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], code)
    client.post(f"/api/v1/applications/{app_id}/actions/withdraw", json={},
                headers=team["officer"])  # fmt: skip
    page = status_page(client, code)
    assert 'id="next-step"' not in page
