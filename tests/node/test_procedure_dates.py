"""The procedure cannot be skipped or back-dated (issue 12, class 3; RULES §5).

Each step's date is on or after the previous step's and not in the future; a posting lasts at
least the configured working days of the node's calendar; complaints fall inside the posting;
the chair decides only after the posting's end by the server's clock, and dates the decision
after it. Paper work entered late (a meeting held last week) stays possible within these rules.
The API names the date it refuses, the officials' pages say why in Vietnamese, and
``allowed_actions`` (the file, the worklist) agrees with what the services accept.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from node.models import Decision, Meeting, Posting
from node.services.calendar import add_holidays
from tests.node.officials_helpers import html, new_application
from tests.node.review_helpers import IDENTITIES, act, verified_facts

pytestmark = pytest.mark.usefixtures("fixed_clock")


def moment(day: date) -> datetime:
    """10:00 in Vietnam on ``day``."""
    return datetime.combine(day, time(3), tzinfo=UTC)


def started_and_verified(client, team, clock, day: date) -> int:
    """An application taken into review and verified on ``day`` (the clock then stays there)."""
    clock.set(moment(day))
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review", assign_to=team.head.user_id)
    act(client, team.head.bearer, app_id, "verify", facts=verified_facts(), identities=IDENTITIES)
    return app_id


def fields(answer) -> set[str]:
    return set(answer["error"]["fields"])


def test_the_whole_procedure_in_one_second_is_refused_step_by_step(
    client, db_session, team, fixed_clock
):
    # start → verify → meeting dated before the review started → posting dated a month ago,
    # two days long → decision, all in the same second (Tuesday 24 November 2026).
    app_id = started_and_verified(client, team, fixed_clock, date(2026, 11, 24))
    head, officer, chair = team.head.bearer, team.officer.bearer, team.chair.bearer

    early = act(client, head, app_id, "record_meeting", status=422, held_on="2026-11-20",
                attendees=10, agreeing=6)  # fmt: skip
    assert fields(early) == {"held_on"}
    future = act(client, head, app_id, "record_meeting", status=422, held_on="2026-11-25",
                 attendees=10, agreeing=6)  # fmt: skip
    assert fields(future) == {"held_on"}
    act(client, head, app_id, "record_meeting", held_on="2026-11-24", attendees=10, agreeing=6)

    back_dated = act(client, officer, app_id, "post", status=422, starts_on="2026-10-24",
                     ends_on="2026-10-26")  # fmt: skip
    assert fields(back_dated) == {"starts_on", "ends_on"}
    too_short = act(client, officer, app_id, "post", status=422, starts_on="2026-11-24",
                    ends_on="2026-11-26")  # fmt: skip
    assert fields(too_short) == {"ends_on"}
    not_yet = act(client, officer, app_id, "post", status=422, starts_on="2026-11-25")
    assert fields(not_yet) == {"starts_on"}
    posted = act(client, officer, app_id, "post", starts_on="2026-11-24")
    assert posted["postings"][-1]["ends_on"] == "2026-11-27"  # 3 working days: Wed–Fri

    # The chair cannot decide while the posting runs, whatever date the decision carries.
    assert "decide" not in act_file(client, chair, app_id)["allowed_actions"]
    for decided_on in ("2026-11-24", "2026-11-30"):
        refused = act(client, chair, app_id, "decide", status=409, number="1/QĐ-UBND",
                      decided_on=decided_on, outcome="recognised")  # fmt: skip
        assert "decide" not in refused["error"]["allowed_actions"]
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 0


def act_file(client, headers, app_id):
    return client.get(f"/api/v1/applications/{app_id}", headers=headers).get_json()


def test_complaints_fall_inside_the_posting(client, team, fixed_clock):
    app_id = started_and_verified(client, team, fixed_clock, date(2026, 11, 16))
    act(client, team.head.bearer, app_id, "record_meeting", held_on="2026-11-16", attendees=4,
        agreeing=4)  # fmt: skip
    act(client, team.officer.bearer, app_id, "post", starts_on="2026-11-16")  # to Thu 19 Nov
    fixed_clock.set(moment(date(2026, 11, 23)))
    for received_on in ("2026-11-13", "2026-11-20", "2026-11-24"):
        refused = act(client, team.officer.bearer, app_id, "complaint", status=422,
                      content="Hộ này có xe máy mới.", received_on=received_on)  # fmt: skip
        assert fields(refused) == {"received_on"}, received_on
    # Received on the posting's last day, entered four days later: that is paper work.
    file = act(client, team.officer.bearer, app_id, "complaint", content="Hộ này có xe máy mới.",
               received_on="2026-11-19")  # fmt: skip
    assert file["status"] == "under_review"


def test_the_decision_comes_after_the_posting_by_the_servers_clock(
    client, db_session, team, fixed_clock
):
    app_id = started_and_verified(client, team, fixed_clock, date(2026, 11, 16))
    act(client, team.head.bearer, app_id, "record_meeting", held_on="2026-11-16", attendees=4,
        agreeing=4)  # fmt: skip
    fixed_clock.set(moment(date(2026, 11, 17)))
    act(client, team.officer.bearer, app_id, "post", starts_on="2026-11-17")  # to Fri 20 Nov
    for today in (date(2026, 11, 19), date(2026, 11, 20)):
        fixed_clock.set(moment(today))
        assert "decide" not in act_file(client, team.chair.bearer, app_id)["allowed_actions"]
        act(client, team.chair.bearer, app_id, "decide", status=409, number="7/QĐ-UBND",
            decided_on=today.isoformat(), outcome="recognised")  # fmt: skip
    fixed_clock.set(moment(date(2026, 11, 23)))
    assert "decide" in act_file(client, team.chair.bearer, app_id)["allowed_actions"]
    for decided_on in ("2026-11-20", "2026-11-24"):
        refused = act(client, team.chair.bearer, app_id, "decide", status=422,
                      number="7/QĐ-UBND", decided_on=decided_on, outcome="recognised")  # fmt: skip
        assert fields(refused) == {"decided_on"}, decided_on
    # Signed on Saturday the 21st, entered on Monday.
    file = act(client, team.chair.bearer, app_id, "decide", number="7/QĐ-UBND",
               decided_on="2026-11-21", outcome="recognised")  # fmt: skip
    assert file["status"] == "decided"
    assert file["decision"]["decided_on"] == "2026-11-21"


def test_back_dated_paper_work_stays_possible_within_the_rules(client, team, fixed_clock):
    # Verified on Monday 9 November; the meeting (Tuesday 17th), the posting (from Wednesday
    # 18th to Monday 23rd) and a complaint (Friday 20th) are all entered on Tuesday the 24th.
    app_id = started_and_verified(client, team, fixed_clock, date(2026, 11, 9))
    fixed_clock.set(moment(date(2026, 11, 24)))
    act(client, team.head.bearer, app_id, "record_meeting", held_on="2026-11-17", attendees=8,
        agreeing=5)  # fmt: skip
    posted = act(client, team.officer.bearer, app_id, "post", starts_on="2026-11-18")
    assert posted["postings"][-1]["ends_on"] == "2026-11-23"
    assert "decide" in act_file(client, team.chair.bearer, app_id)["allowed_actions"]
    file = act(client, team.officer.bearer, app_id, "complaint", content="Thu nhập cao hơn.",
               received_on="2026-11-20")  # fmt: skip
    assert file["status"] == "under_review"
    # Back to verification: the next meeting cannot be dated before the complaint came in.
    act(client, team.head.bearer, app_id, "verify", facts=verified_facts(), identities=IDENTITIES)
    act(client, team.head.bearer, app_id, "record_meeting", status=422, held_on="2026-11-19",
        attendees=8, agreeing=5)  # fmt: skip


def test_a_posting_counts_working_days_on_the_nodes_calendar(client, db_session, team, fixed_clock):
    add_holidays(db_session, [(date(2026, 11, 26), "Ngày nghỉ của tỉnh")])
    db_session.commit()
    app_id = started_and_verified(client, team, fixed_clock, date(2026, 11, 24))
    act(client, team.head.bearer, app_id, "record_meeting", held_on="2026-11-24", attendees=4,
        agreeing=4)  # fmt: skip
    # Wed 25, (Thu 26 off), Fri 27: two working days; Monday the 30th makes three.
    short = act(client, team.officer.bearer, app_id, "post", status=422, starts_on="2026-11-24",
                ends_on="2026-11-27")  # fmt: skip
    assert fields(short) == {"ends_on"}
    posted = act(client, team.officer.bearer, app_id, "post", starts_on="2026-11-24")
    assert posted["postings"][-1]["ends_on"] == "2026-11-30"


def test_the_batch_forms_refuse_the_same_dates_in_vietnamese(client, db_session, team, fixed_clock):
    app_id = started_and_verified(client, team, fixed_clock, date(2026, 11, 24))
    version = act_file(client, team.officer.bearer, app_id)["version"]
    page = team.head.post("/officials/meetings/new", {
        "village": "00070-001", "held_on": "20/11/2026", "attendees": "10",
        "include": [str(app_id)], f"agreeing.{app_id}": "6", f"version.{app_id}": version,
    })  # fmt: skip
    assert page.status_code == 422
    assert "không được trước ngày 24/11/2026" in html(page)
    assert db_session.scalar(select(func.count()).select_from(Meeting)) == 0

    act(client, team.head.bearer, app_id, "record_meeting", held_on="2026-11-24", attendees=4,
        agreeing=4)  # fmt: skip
    version = act_file(client, team.officer.bearer, app_id)["version"]
    page = team.officer.post("/officials/postings/new", {
        "starts_on": "24/11/2026", "ends_on": "25/11/2026", "include": [str(app_id)],
        f"version.{app_id}": version,
    })  # fmt: skip
    assert page.status_code == 422
    assert "ít nhất 3 ngày làm việc" in html(page)
    assert db_session.scalar(select(func.count()).select_from(Posting)) == 0
