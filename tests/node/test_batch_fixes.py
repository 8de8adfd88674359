"""Issue 15 part 8, the batch forms: the posting form posts exactly the households ticked and
opens with none ticked; a refused decision names each household that stands in the way and why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from node.models import Application, Decision, Posting, PostingItem
from tests.node.officials_helpers import OTHER_IDENTITIES, html, new_application
from tests.node.review_helpers import (
    IDENTITIES,
    MEETING_DAY,
    POSTING_STARTS,
    TODAY,
    act,
    on_day,
    to_verified,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")

OTHER = {"full_name": "Trần Văn Bình", "citizen_id": "001190054321", "phone": "0912000111"}
THIRD = {"full_name": "Phạm Văn Cường", "citizen_id": "001190077001", "phone": "0912000222"}
# The third household shares a member's ID number with the first: a possible duplicate.
SHARED_MEMBER = [
    {"full_name": "Phạm Văn Cường", "citizen_id": "001190077001", "ethnicity": "Kinh"},
    IDENTITIES[1],
]


def versions(db_session, *ids):
    db_session.expire_all()
    return {f"version.{i}": db_session.get(Application, i).version for i in ids}


def met(client, team, app_id, identities, posted_on=None):
    """Verified with these members, the meeting held; posted from ``posted_on`` if given."""
    officer, head = team.officer.bearer, team.head.bearer
    to_verified(client, officer, head, app_id, team.head.user_id, identities=identities)
    with on_day(client, MEETING_DAY):
        act(client, head, app_id, "record_meeting", held_on=MEETING_DAY.isoformat(),
            attendees=10, agreeing=6)  # fmt: skip
    if posted_on is not None:
        with on_day(client, posted_on):
            act(client, officer, app_id, "post", starts_on=posted_on.isoformat())


def test_the_posting_form_opens_with_none_ticked_and_posts_only_the_ticked(
    client, db_session, team
):
    first = new_application(client, team.officer)
    second = new_application(client, team.officer, applicant=OTHER)
    met(client, team, first, IDENTITIES)
    met(client, team, second, OTHER_IDENTITIES)

    page = html(team.officer.get("/officials/postings/new"))
    assert page.count('name="include"') == 2
    assert page.count(" checked>") == 0
    # From a file's link, that household alone is ticked.
    linked = html(team.officer.get(f"/officials/postings/new?select={second}"))
    assert f'value="{second}" checked' in linked
    assert f'value="{first}" checked' not in linked

    response = team.officer.post("/officials/postings/new", {
        "starts_on": TODAY.isoformat(), "include": [str(second)],
        **versions(db_session, first, second)})  # fmt: skip

    assert response.status_code == 303, html(response)
    posted = db_session.scalars(select(PostingItem.application_id)).all()
    assert posted == [second]
    assert db_session.get(Application, first).status == "meeting_held"


def test_a_posting_with_none_ticked_is_refused_and_posts_nothing(client, db_session, team):
    first = new_application(client, team.officer)
    met(client, team, first, IDENTITIES)
    response = team.officer.post("/officials/postings/new", {
        "starts_on": TODAY.isoformat(), **versions(db_session, first)})  # fmt: skip
    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(Posting)) == 0


def test_a_refused_decision_names_each_household_and_why(client, db_session, team):
    ready = new_application(client, team.officer)
    running = new_application(client, team.officer, applicant=OTHER)
    duplicate = new_application(client, team.officer, applicant=THIRD)
    met(client, team, ready, IDENTITIES, posted_on=POSTING_STARTS)
    met(client, team, running, OTHER_IDENTITIES, posted_on=TODAY)
    met(client, team, duplicate, SHARED_MEMBER, posted_on=POSTING_STARTS)

    response = team.chair.post("/officials/decisions/new", {
        "number": "9/QĐ-UBND", "decided_on": TODAY.isoformat(),
        **{f"outcome.{key}": "recognised" for key in (ready, running, duplicate)},
        **versions(db_session, ready, running, duplicate)})  # fmt: skip

    assert response.status_code == 409
    page = html(response)
    refusals = page.split('class="refusals"')[1].split("</ul>")[0]
    assert "Trần Văn Bình" in refusals
    assert "đang niêm yết công khai đến hết ngày 27/11/2026" in refusals
    assert "Phạm Văn Cường" in refusals
    assert "có thể trùng với hồ sơ khác" in refusals
    assert "Nguyễn Văn Hùng" not in refusals  # the household that could be decided
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 0


def test_the_api_names_each_refused_household(client, db_session, team):
    ready = new_application(client, team.officer)
    running = new_application(client, team.officer, applicant=OTHER)
    met(client, team, ready, IDENTITIES, posted_on=POSTING_STARTS)
    met(client, team, running, OTHER_IDENTITIES, posted_on=TODAY)
    lines = [{"application_id": key, "outcome": "recognised"} for key in (ready, running)]
    body = {"number": "9/QĐ-UBND", "decided_on": TODAY.isoformat(), "lines": lines}
    response = client.post("/api/v1/decisions", headers=team.chair.bearer, json=body)
    assert response.status_code == 409
    fields = response.get_json()["error"]["fields"]
    assert list(fields) == [f"applications.{running}"]
    assert "2026-11-27" in fields[f"applications.{running}"]
