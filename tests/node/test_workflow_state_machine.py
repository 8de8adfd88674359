"""A hypothesis state machine over the review services, their actions *and their dates*
(issues 7, 11 and 12).

Random officials — in the application's commune or another, of every role — try random actions
on random applications in random order, each dated step with a random date around the server's
day, while the server's clock moves on by whole days; with and without the district opinion
step. Whatever they do: every status change is one the transition table allows, no official
changes anything outside their area or beyond their role, a refused action leaves the
application as it was, and the policy's answer is the truth — an action ``allowed_actions``
lists succeeds when its date is a lawful one, an action it does not list is refused. And no path
skips the procedure (RULES §5): each step is dated on or after the one before and not after the
day it was entered, every posting lasts the configured working days, complaints fall inside
their posting, and no decision is taken, or dated, before its posting is over by the server's
clock — checked on what was written, by this module's own reading of the rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from node.models import (
    Application,
    ApplicationEvent,
    Complaint,
    Decision,
    DecisionItem,
    DistrictOpinion,
    DuplicateFlag,
    Meeting,
    MeetingVote,
    Posting,
    PostingItem,
    Verification,
)
from node.services import accounts
from node.services.applications import submit_application
from node.services.calendar import load_calendar
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

# The server's first day (a Monday); its clock then moves on by whole days.
FIRST_DAY = date(2026, 11, 2)
LAST_DAY = date(2026, 12, 31)
CONTEXT = NodeContext("01", FIRST_DAY, datetime.combine(FIRST_DAY, time(3), tzinfo=UTC))
POSTING_DAYS = CONTEXT.rules.posting_working_days
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
SIDE_STEPS = {"assign", "withdraw", "complaint"}
REVIEWER = 2  # the village head of 00070-001 in TEAM


def on(context, day):
    """The context on another day of the server's clock (10:00 in Vietnam)."""
    return replace(context, today=day, now=datetime.combine(day, time(3), tzinfo=UTC))


def act(session, official, application, action, context, reviewer_id, day):
    """One action as the API would do it; ``day`` dates the steps that carry a date."""
    if action == "start_review":
        start_review(session, official, application, context)
    elif action == "assign":
        assign_reviewer(session, official, application, reviewer_id, context)
    elif action == "district_opinion":
        record_district_opinion(session, official, application, context,
                                received_on=day, agrees=True)  # fmt: skip
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
        record_meeting(session, official, context, held_on=day, attendees=10,
                       votes=[(application.id, agreeing)])  # fmt: skip
    elif action == "post":
        post_results(session, official, context, application_ids=[application.id],
                     starts_on=day)  # fmt: skip
    elif action == "complaint":
        record_complaint(session, official, application, context, content="Khiếu nại",
                         received_on=day)  # fmt: skip
    elif action.startswith("decide"):
        outcome = "recognised" if action == "decide_recognise" else "refused"
        line = DecisionLine(
            application.id, outcome, "Không đủ điều kiện" if outcome == "refused" else None
        )
        number = f"{application.id}-{day:%m%d}/QĐ"
        decide(session, official, context, number=number, decided_on=day,
               lines=[line])  # fmt: skip
    elif action == "withdraw":
        withdraw_by_official(session, official, application, context)


def has_opinion(session, application_id):
    return session.scalar(
        select(DistrictOpinion.id).where(DistrictOpinion.application_id == application_id).limit(1)
    )


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


DATED = {"meeting_pass", "meeting_fail", "post", "complaint", "district_opinion",
         "decide_recognise", "decide_refuse"}  # fmt: skip
# The input naming each dated step's date (a refusal of the date names it).
DATE_FIELDS = {"held_on", "starts_on", "ends_on", "received_on", "decided_on"}


def local_day(moment):
    """The day in Vietnam (UTC+7) of a moment written in UTC (SQLite gives it back naive)."""
    return (
        (
            moment.replace(tzinfo=None)
            if moment.tzinfo is None
            else moment.astimezone(UTC).replace(tzinfo=None)
        )
        + timedelta(hours=7)
    ).date()


def latest_posting(session, application):
    """(starts_on, ends_on) of the latest posting that listed the application."""
    return session.execute(
        select(Posting.starts_on, Posting.ends_on)
        .join(PostingItem)
        .where(PostingItem.application_id == application.id)
        .order_by(Posting.id.desc())
        .limit(1)
    ).one()


def lawful_day(session, application, step, today):
    """A date the rules allow for ``step`` today (the walk forward uses it): today, except a
    complaint, which was received on the posting's first day."""
    return latest_posting(session, application)[0] if step == "complaint" else today


def check_dates(session, application_id):
    """RULES §5 read from what was written, step by step in the order it was entered: each
    step's date is on or after the step before and not after the day it was entered; postings
    last the configured working days, complaints fall inside their posting, and the decision
    comes after its posting's end, by its date and by the server's day it was entered."""
    events = list(session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id)
    ))  # fmt: skip

    def rows(*columns, where, order):
        return iter(session.execute(select(*columns).where(where).order_by(order)).all())

    verifications = rows(Verification.verified_at,
                         where=Verification.application_id == application_id,
                         order=Verification.id)  # fmt: skip
    meetings = iter(session.execute(
        select(Meeting.held_on).join(MeetingVote, MeetingVote.meeting_id == Meeting.id)
        .where(MeetingVote.application_id == application_id).order_by(MeetingVote.id)
    ).all())  # fmt: skip
    postings = iter(session.execute(
        select(Posting.starts_on, Posting.ends_on).join(PostingItem)
        .where(PostingItem.application_id == application_id).order_by(PostingItem.id)
    ).all())  # fmt: skip
    complaints = rows(Complaint.received_on, where=Complaint.application_id == application_id,
                      order=Complaint.id)  # fmt: skip
    # A district opinion is no step of the chain (it has no history row): it comes in after
    # the posting started, and before the decision.
    opinions = list(session.scalars(
        select(DistrictOpinion.received_on).where(DistrictOpinion.application_id == application_id)
    ))  # fmt: skip
    started = [starts_on for starts_on, _ in session.execute(
        select(Posting.starts_on, Posting.ends_on).join(PostingItem)
        .where(PostingItem.application_id == application_id)
    )]  # fmt: skip
    for received_on in opinions:
        assert any(starts_on <= received_on for starts_on in started), (received_on, started)
    decisions = iter(session.execute(
        select(Decision.decided_on).join(DecisionItem)
        .where(DecisionItem.application_id == application_id).order_by(DecisionItem.id)
    ).all())  # fmt: skip
    calendar = load_calendar(session)
    last = None  # the date of the step before
    posting = None  # (starts_on, ends_on) of the posting in force
    for event in events:
        entered = local_day(event.at)
        if event.action in ("start_review", "open_periodic_review"):
            day = entered
        elif event.action == "verify":
            day = local_day(next(verifications)[0])
        elif event.action == "record_meeting":
            day = next(meetings)[0]
        elif event.action == "post":
            posting = next(postings)
            day = posting[0]
            assert calendar.working_days_between(*posting) >= POSTING_DAYS, posting
        elif event.action == "complaint":
            day = next(complaints)[0]
            assert posting[0] <= day <= posting[1], (day, posting)
        elif event.action == "decide":
            day = next(decisions)[0]
            assert posting is not None, "decided without a posting"
            assert day > posting[1], (day, posting)
            assert entered > posting[1], (entered, posting)
            assert all(day >= received_on for received_on in opinions), (day, opinions)
        else:
            continue
        assert day <= entered, (event.action, day, entered)
        assert last is None or day >= last, (event.action, day, last)
        last = day


@pytest.mark.parametrize("opinion_required", [False, True], ids=["no-opinion", "opinion"])
def test_the_policy_is_the_truth_and_no_illegal_transition(db_session, officials, opinion_required):
    rules = ReviewRules(district_opinion_required=opinion_required)

    class Review(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Each run works inside its own savepoint, rolled back at its end.
            self.savepoint = db_session.begin_nested()
            self.applications: list[int] = []
            self.count = 0
            self.context = replace(CONTEXT, rules=rules)

        @rule(days=st.integers(0, 4))
        def time_passes(self, days):
            self.wait_until(self.context.today + timedelta(days=days))

        def wait_until(self, day):
            # Applications stay for 2026 (the year the residents apply for).
            self.context = on(self.context, min(day, LAST_DAY))

        # A few applications, so that the walk forward takes some of them to the end.
        @precondition(lambda self: len(self.applications) < 5)
        @rule()
        def resident_submits(self):
            self.count += 1
            body = application_request(village_code="00070-001")
            submission = submit_application(
                db_session, body, f"sm-{self.count}-{id(self)}", self.context
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
              step=st.sampled_from(STEPS), offset=st.integers(-12, 3))  # fmt: skip
        def any_official_tries_anything(self, who, which, step, offset):
            day = self.context.today + timedelta(days=offset)
            self.attempt(officials[who], self.application(which), step, day, lawful=False)

        @precondition(lambda self: self.applications)
        @rule(which=st.integers(0, 50), pick=st.integers(0, 100))
        def an_official_takes_an_action_the_policy_lists(self, which, pick):
            # Random tries are mostly refused; this rule walks the review forward, the furthest
            # application first (the steps that do not bring it nearer the end only now and then),
            # each step dated lawfully.
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
            if has_opinion(db_session, application.id):
                side |= {"district_opinion"}
            forward = [(o, step) for o, step in offered if step not in side]
            choices = offered if pick % 5 == 4 or not forward else forward
            if not forward and application.status == "posted":
                # Only the chair's decision is left, once the posting is over: days go by.
                _, ends_on = latest_posting(db_session, application)
                if self.context.today <= ends_on:
                    self.wait_until(ends_on + timedelta(days=1 + pick % 3))
                    return
            if choices:
                official, step = choices[pick % len(choices)]
                day = lawful_day(db_session, application, step, self.context.today)
                self.attempt(official, application, step, day, lawful=True)

        def verified(self, application):
            return db_session.scalar(
                select(Verification.id).where(Verification.application_id == application.id)
            )

        def allowed(self, official, application):
            standing = load_standings(db_session, official, [application], self.context)
            return allowed_actions(official, application, standing[application.id])

        def attempt(self, official, application, step, day, *, lawful):
            if step == "resolve_duplicate" and not has_flags(db_session, application.id):
                return  # nothing to name: the service takes a flag
            allowed = POLICY_ACTION.get(step, step) in self.allowed(official, application)
            before = (application.status, application.version, len(application.events))
            inside = official.commune_code in (None, "00070") and official.unit_codes != {
                "00073-001"
            }
            try:
                with db_session.begin_nested():
                    act(db_session, official, application, step, self.context,
                        officials[REVIEWER].user_id, day)  # fmt: skip
            except ServiceError as error:
                # Refused: the policy did not list it, or (a step carrying a date) the date was
                # not a lawful one, which the refusal names; and nothing changed.
                dated_refusal = step in DATED and set(error.fields) <= DATE_FIELDS
                assert not allowed or (dated_refusal and error.fields and not lawful), (
                    official.role, step, before[0], day, error.message, error.fields)  # fmt: skip
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

        @invariant()
        def no_step_is_skipped_or_back_dated(self):
            for application_id in self.applications:
                check_dates(db_session, application_id)

        def teardown(self):
            self.savepoint.rollback()

    Review.TestCase.settings = settings(
        max_examples=20, stateful_step_count=60, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    Review.TestCase().runTest()
