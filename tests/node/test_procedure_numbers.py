"""The procedure's numbers as data at the node (issue 14 part 4): the node's defaults are the
data's values, the meeting's agreement threshold is applied from them, and the province admin
sees each value with its legal basis, provisional ones marked."""

from __future__ import annotations

import pytest

from node.config import Config
from node.services.workflow import meeting_target
from shared.procedure import procedure_values
from tests.node.officials_helpers import html, sign_in
from tests.node.review_helpers import act, application_id, submit, to_verified

pytestmark = pytest.mark.usefixtures("fixed_clock")


def test_the_nodes_defaults_are_the_datas_values():
    for entry in procedure_values():
        configured = [getattr(Config, name) for name in entry.settings]
        if configured:
            assert (configured[0] if len(configured) == 1 else configured) == entry.value


def test_the_agreement_threshold_is_a_share_of_the_attendees():
    assert meeting_target(5, 10) == "meeting_held"
    assert meeting_target(4, 9) == "under_review"
    assert meeting_target(5, 10, percent=60) == "under_review"
    assert meeting_target(6, 10, percent=60) == "meeting_held"


@pytest.mark.parametrize(("percent", "status"), [(50, "meeting_held"), (60, "under_review")])
def test_the_meeting_follows_the_configured_threshold(client, team, app, monkeypatch, percent,
                                                       status):  # fmt: skip
    monkeypatch.setitem(app.config, "MEETING_AGREEMENT_PERCENT", percent)
    app_id = application_id(client, team["officer"], submit(client)["tracking_code"])
    to_verified(client, team["officer"], team["head"], app_id, team["head_id"])
    answer = act(client, team["head"], app_id, "record_meeting", held_on="2026-11-10",
                 attendees=10, agreeing=5)  # fmt: skip
    assert answer["status"] == status


def test_the_admin_sees_each_value_with_its_basis_and_the_provisional_ones(
    app, make_user, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "POSTING_WORKING_DAYS", 5)
    page = html(sign_in(app, make_user, db_session, "province_admin").get("/admin/procedure"))
    assert "Quyết định 24/2021/QĐ-TTg, Điều 7" in page
    provisional = sum(entry.provisional for entry in procedure_values())
    assert page.count("<strong>Tạm tính</strong>") == provisional
    assert "01/09 – 14/12" in page
    posting = page[page.index('data-key="posting_working_days"') :]
    posting = posting[: posting.index("</tr>")]
    assert "Tạm tính" in posting
    assert "5 (đã đổi trong cấu hình của máy chủ tỉnh)" in posting


def test_only_the_province_admin_reads_it(app, make_user, db_session):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    assert officer.get("/admin/procedure").status_code == 403
