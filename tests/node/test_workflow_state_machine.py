"""A hypothesis state machine over the review services (issues 7 and 11).

Random officials — in the application's commune or another, of every role — try random actions
on random applications in random order, with and without the district opinion step. Whatever
they do: every status change is one the transition table allows, no official changes anything
outside their area or beyond their role, a refused action leaves the application as it was, and
the policy's answer is the truth — every action ``allowed_actions`` lists succeeds, every other
one is refused.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from node.models import Application, ApplicationEvent, DuplicateFlag, Verification
from node.services import accounts
from node.services.applications import submit_application
from node.services.context import NodeContext, ReviewRules
from node.services.decisions import DecisionLine, decide
from node.services.duplicates import resolve_duplicate
from node.services.errors import ServiceError
from node.services.review import (
    assign_reviewer,
    post_results,
    record_complaint,
    record_district_opinion,
    record_meeting,
    record_verification,
    start_review,
)
from node.services.steps import withdraw_by_official
from node.services.workflow import ACTIONS, allowed_actions, load_standings
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
STEPS = ["start_review", "assign", "verify", "meeting_pass", "meeting_fail", "post", "complaint",
         "district_opinion", "decide_recognise", "decide_refuse", "withdraw",
         "resolve_duplicate"]  # fmt: skip
# The policy's name of each step.
POLICY_ACTION = {"meeting_pass": "record_meeting", "meeting_fail": "record_meeting",
                 "decide_recognise": "decide", "decide_refuse": "decide"}  # fmt: skip
PROGRESS = ["withdrawn", "decided", "submitted", "under_review", "meeting_held", "posted"]
# Steps that do not bring the review nearer its end (also verify, once verified).
SIDE_STEPS = {"assign", "withdraw"}
REVIEWER = 2  # the village head of 00070-001 in TEAM


def act(session, official, application, action, context, reviewer_id):
    """One action as the API would do it; the day of each step is fixed by the calendar."""
    if action == "start_review":
        start_review(session, official, application, context)
    elif action == "assign":
        assign_reviewer(session, official, application, reviewer_id, context)
    elif action == "district_opinion":
        record_district_opinion(session, official, application, context,
                                received_on=date(2026, 11, 6), agrees=True)  # fmt: skip
    elif action == "resolve_duplicate":
        flags = session.scalars(
            select(DuplicateFlag).where(DuplicateFlag.application_id == application.id)
        )
        # An open flag first; with none open, a settled one (the policy refuses it).
        flags = sorted(flags, key=lambda flag: (flag.resolution is not None, flag.id))
        resolve_duplicate(session, official, flags[0], "distinct", context)
    elif action == "verify":
        record_verification(session, official, application, context, facts=verified_facts(),
                            identities=IDENTITIES)  # fmt: skip
    elif action in ("meeting_pass", "meeting_fail"):
        agreeing = 6 if action == "meeting_pass" else 2
        record_meeting(session, official, context, held_on=date(2026, 11, 10), attendees=10,
                       votes=[(application.id, agreeing)])  # fmt: skip
    elif action == "post":
        post_results(session, official, context, application_ids=[application.id],
                     starts_on=date(2026, 11, 2))  # fmt: skip
    elif action == "complaint":
        record_complaint(session, official, application, context, content="Khiếu nại",
                         received_on=date(2026, 11, 3))  # fmt: skip
    elif action.startswith("decide"):
        outcome = "recognised" if action == "decide_recognise" else "refused"
        line = DecisionLine(
            application.id, outcome, "Không đủ điều kiện" if outcome == "refused" else None
        )
        number = f"{application.id}/QĐ"
        decide(session, official, context, number=number, decided_on=date(2026, 11, 24),
               lines=[line])  # fmt: skip
    elif action == "withdraw":
        withdraw_by_official(session, official, application, context)


def has_flags(session, application_id):
    return session.scalar(
        select(DuplicateFlag.id).where(DuplicateFlag.application_id == application_id).limit(1)
    )


@pytest.fixture
def officials(db_session, make_user):
    made = []
    for role, units in TEAM:
        user = make_user(role, units)
        made.append(accounts.official_for_user(user))
    return made


@pytest.mark.parametrize("opinion_required", [False, True], ids=["no-opinion", "opinion"])
def test_the_policy_is_the_truth_and_no_illegal_transition(db_session, officials, opinion_required):
    context = replace(CONTEXT, rules=ReviewRules(district_opinion_required=opinion_required))

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
                db_session, body, f"sm-{self.count}-{id(self)}", context
            )
            application = db_session.scalar(
                select(Application).where(
                    Application.tracking_code == submission.body["tracking_code"]
                )
            )
            self.applications.append(application.id)

        def application(self, which):
            return db_session.get(Application, self.applications[which % len(self.applications)])

        @precondition(lambda self: self.applications)
        @rule(who=st.integers(0, len(TEAM) - 1), which=st.integers(0, 50),
              step=st.sampled_from(STEPS))  # fmt: skip
        def any_official_tries_anything(self, who, which, step):
            self.attempt(officials[who], self.application(which), step)

        @precondition(lambda self: self.applications)
        @rule(which=st.integers(0, 50), pick=st.integers(0, 100))
        def an_official_takes_an_action_the_policy_lists(self, which, pick):
            # Random tries are mostly refused; this rule walks the review forward, the furthest
            # application first (the steps that do not bring it nearer the end only now and then).
            ranked = sorted(
                (db_session.get(Application, app_id) for app_id in self.applications),
                key=lambda a: (-PROGRESS.index(a.status), a.id),
            )
            application = ranked[which % len(ranked)]
            offered = [
                (official, step)
                for official in officials
                for policy_action in self.allowed(official, application)
                for step in STEPS
                if POLICY_ACTION.get(step, step) == policy_action
            ]
            side = SIDE_STEPS | ({"verify"} if self.verified(application) else set())
            forward = [(o, step) for o, step in offered if step not in side]
            choices = offered if pick % 5 == 4 or not forward else forward
            if choices:
                official, step = choices[pick % len(choices)]
                self.attempt(official, application, step)

        def verified(self, application):
            return db_session.scalar(
                select(Verification.id).where(Verification.application_id == application.id)
            )

        def allowed(self, official, application):
            standing = load_standings(db_session, official, [application], context)
            return allowed_actions(official, application, standing[application.id])

        def attempt(self, official, application, step):
            if step == "resolve_duplicate" and not has_flags(db_session, application.id):
                return  # nothing to name: the service takes a flag
            allowed = POLICY_ACTION.get(step, step) in self.allowed(official, application)
            before = (application.status, application.version, len(application.events))
            inside = official.commune_code in (None, "00070") and official.unit_codes != {
                "00073-001"
            }
            try:
                with db_session.begin_nested():
                    act(db_session, official, application, step, context,
                        officials[REVIEWER].user_id)  # fmt: skip
            except ServiceError as error:
                # Refused: the policy did not list it, and nothing changed.
                assert not allowed, (official.role, step, before[0], error.message)
                db_session.expire_all()
                application = db_session.get(Application, application.id)
                assert (application.status, application.version, len(application.events)) == before
                return
            # Done: the policy listed it, and the official was inside the area.
            assert allowed, (official.role, step, before[0])
            assert inside, (official, step)
            db_session.expire_all()

        @invariant()
        def every_status_change_is_in_the_table(self):
            for event in db_session.scalars(
                select(ApplicationEvent).where(ApplicationEvent.from_status.is_not(None))
            ):
                action = ACTIONS[event.action]
                assert event.from_status in action.sources, event.action
                assert action.leads_to(event.from_status, event.to_status), event.action

        def teardown(self):
            self.savepoint.rollback()

    Review.TestCase.settings = settings(
        max_examples=12, stateful_step_count=40, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    Review.TestCase().runTest()
