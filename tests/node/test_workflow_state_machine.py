"""A hypothesis state machine over the review services (issue 7).

Random officials — in the application's commune or another, of every role — try random actions
on random applications in random order. Whatever they do: every status change is one the
transition table allows, no official changes anything outside their area or beyond their role,
and a refused action leaves the application as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from node.models import Application, ApplicationEvent
from node.services import accounts
from node.services.applications import submit_application
from node.services.context import NodeContext
from node.services.decisions import DecisionLine, decide
from node.services.errors import ServiceError
from node.services.review import (
    post_results,
    record_complaint,
    record_meeting,
    record_verification,
    start_review,
)
from node.services.steps import withdraw_by_official
from node.services.workflow import TRANSITIONS
from tests.builders import application_request
from tests.node.review_helpers import IDENTITIES, verified_facts

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
CONTEXT = NodeContext("01", date(2026, 11, 24), NOW)
# Officials of commune 00070 (where the applications are) and of 00073 (where they are not).
TEAM = [
    ("commune_officer", ["00070"]),
    ("commune_chair", ["00070"]),
    ("village_head", ["00070-001"]),
    ("province_officer", ["01"]),
    ("commune_officer", ["00073"]),
    ("commune_chair", ["00073"]),
    ("village_head", ["00073-001"]),
]
ACTIONS = ["start_review", "verify", "meeting_pass", "meeting_fail", "post", "complaint",
           "decide_recognise", "decide_refuse", "withdraw"]  # fmt: skip


def act(session, official, application, action):
    """One action as the API would do it; the day of each step is fixed by the calendar."""
    if action == "start_review":
        start_review(session, official, application, CONTEXT)
    elif action == "verify":
        record_verification(session, official, application, CONTEXT, facts=verified_facts(),
                            identities=IDENTITIES)  # fmt: skip
    elif action in ("meeting_pass", "meeting_fail"):
        agreeing = 6 if action == "meeting_pass" else 2
        record_meeting(session, official, CONTEXT, held_on=date(2026, 11, 10), attendees=10,
                       votes=[(application.id, agreeing)])  # fmt: skip
    elif action == "post":
        post_results(session, official, CONTEXT, application_ids=[application.id],
                     starts_on=date(2026, 11, 2))  # fmt: skip
    elif action == "complaint":
        record_complaint(session, official, application, CONTEXT, content="Khiếu nại",
                         received_on=date(2026, 11, 3))  # fmt: skip
    elif action.startswith("decide"):
        outcome = "recognised" if action == "decide_recognise" else "refused"
        line = DecisionLine(
            application.id, outcome, "Không đủ điều kiện" if outcome == "refused" else None
        )
        number = f"{application.id}/QĐ"
        decide(session, official, CONTEXT, number=number, decided_on=date(2026, 11, 24),
               lines=[line])  # fmt: skip
    elif action == "withdraw":
        withdraw_by_official(session, official, application, CONTEXT)


@pytest.fixture
def officials(db_session, make_user):
    made = []
    for role, units in TEAM:
        user = make_user(role, units)
        made.append(accounts.official_for_user(user))
    return made


def test_no_illegal_transition_and_no_action_outside_scope(db_session, officials):
    class Review(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Each run works inside its own savepoint, rolled back at its end.
            self.savepoint = db_session.begin_nested()
            self.applications: list[int] = []
            self.count = 0

        @rule()
        def resident_submits(self):
            self.count += 1
            body = application_request(village_code="00070-001")
            submission = submit_application(
                db_session, body, f"sm-{self.count}-{id(self)}", CONTEXT
            )
            application = db_session.scalar(
                select(Application).where(
                    Application.tracking_code == submission.body["tracking_code"]
                )
            )
            self.applications.append(application.id)

        @precondition(lambda self: self.applications)
        @rule(who=st.integers(0, len(TEAM) - 1), which=st.integers(0, 50),
              action=st.sampled_from(ACTIONS))  # fmt: skip
        def an_official_acts(self, who, which, action):
            official = officials[who]
            application = db_session.get(
                Application, self.applications[which % len(self.applications)]
            )
            before = (application.status, application.version, len(application.events))
            inside = official.commune_code in (None, "00070") and official.unit_codes != {
                "00073-001"
            }
            try:
                with db_session.begin_nested():
                    act(db_session, official, application, action)
            except ServiceError:
                db_session.expire_all()
                application = db_session.get(Application, application.id)
                # Refused: nothing changed.
                assert (application.status, application.version, len(application.events)) == before
                return
            # Done: then the official was inside the area, with a role that may do it.
            assert inside, (official, action)
            db_session.expire_all()

        @invariant()
        def every_status_change_is_in_the_table(self):
            for event in db_session.scalars(
                select(ApplicationEvent).where(ApplicationEvent.from_status.is_not(None))
            ):
                transition = TRANSITIONS.get(event.action)
                if transition is None:
                    assert event.action == "assign"
                    assert event.from_status == event.to_status
                    continue
                assert event.from_status in transition.sources, event.action
                assert event.to_status in transition.targets, event.action

        def teardown(self):
            self.savepoint.rollback()

    Review.TestCase.settings = settings(
        max_examples=25, stateful_step_count=25, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    Review.TestCase().runTest()
