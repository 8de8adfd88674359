"""Statuses read as states (issue 19 §1): "Đã họp dân"; a posting still running says until when,
and "Đã niêm yết công khai" shows only once it has ended."""

from __future__ import annotations

import pytest

from tests.node.officials_helpers import html, new_application, posted
from tests.node.test_officials_batches import meeting_held, versions

pytestmark = pytest.mark.usefixtures("fixed_clock")


def badge_of(page: str) -> list[str]:
    return [part.split("</span>")[0].strip() for part in page.split('class="status status--')[1:]]


def test_a_held_meeting_reads_as_done(client, db_session, team):
    meeting_held(client, db_session, team)
    badges = badge_of(html(team.officer.get("/officials/")))
    assert any(b.endswith(">Đã họp dân") for b in badges), badges


def test_a_running_posting_says_until_when(client, db_session, team):
    first, second = meeting_held(client, db_session, team)
    response = team.officer.post("/officials/postings/new", {
        "starts_on": "2026-11-24", "include": [str(first), str(second)],
        **versions(db_session, first, second)})  # fmt: skip
    assert response.status_code == 303
    badges = badge_of(html(team.officer.get("/officials/")))
    assert any("Đang niêm yết công khai đến ngày 27/11/2026" in b for b in badges), badges
    assert not any(b.endswith(">Đã niêm yết công khai") for b in badges), badges


def test_an_ended_posting_reads_as_done(client, team):
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)  # the posting over before today
    badges = badge_of(html(team.officer.get("/officials/")))
    assert any(b.endswith(">Đã niêm yết công khai") for b in badges), badges
