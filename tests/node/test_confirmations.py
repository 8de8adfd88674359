"""The identification of a farming, forestry, fishery or salt household with an average living
standard and of low-income workers (issue 14 §1; Decision 24/2021 Art. 3 cl. 2, Art. 6;
Decree 30/2025): applied for as kinds `average` and `low_income`, reviewed without a village
meeting, posted for 5 working days, recognised by the chair only when the verification
qualifies, printed as the decision Mẫu số 02."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from node.models import Application, AuditEntry, HouseholdStatus, Verification
from node.models.review import Certificate, Decision
from node.services.access_report import access_report
from node.services.calendar import due_date, load_calendar
from tests.builders import adult
from tests.node.officials_helpers import html, sign_in
from tests.node.review_helpers import (
    REVIEW_STARTED,
    act,
    application_id,
    on_day,
    submit,
    to_verified,
    verified_facts,
)
from tests.node.test_field_work import register
from tests.node.test_status_page import status_page

pytestmark = pytest.mark.usefixtures("fixed_clock")

POSTED_ON = date(2026, 11, 13)
DECIDED_ON = "2026-11-24"
HOUSEHOLDS = [("Lò Văn Pảng", "Quàng Thị Ỏn"), ("Tòng Văn Hặc", "Lường Thị Dung"),
              ("Cà Văn Pọm", "Lò Thị Xuân")]  # fmt: skip
_numbers = itertools.count(0)


def identities(number: int) -> list[dict]:
    """The verified names and ID numbers of the test's ``number``-th household (none shared,
    so no possible duplicate holds a decision up)."""
    head, spouse = HOUSEHOLDS[number % len(HOUSEHOLDS)]
    return [
        {"full_name": head, "citizen_id": f"0010850{number:05d}", "ethnicity": "Thái"},
        {"full_name": spouse, "citizen_id": f"0011870{number:05d}", "ethnicity": "Thái"},
    ]


def average_facts(source: str = "fishery") -> dict:
    """Verified facts of an average living standard (3,000,000 đ a person in an urban ward)
    and the main livelihood ``source``."""
    facts = verified_facts(income=6_000_000, poor=False)
    facts["members"] = [adult(), adult(relation="spouse", sex="female", birth_date="1987-01-02")]
    facts["main_income_source"] = source
    return facts


def verified(client, team, db_session, kind="average", source="fishery", workers=None) -> int:
    """The household's request of ``kind`` (the head applies), started and verified on
    REVIEW_STARTED; ``workers`` (member indexes) written into the verified assessment as the
    engine names low-income workers."""
    people = identities(next(_numbers))
    applicant = {"full_name": people[0]["full_name"], "citizen_id": people[0]["citizen_id"],
                 "phone": "0912345678"}  # fmt: skip
    tracking_code = submit(client, kind=kind, applicant=applicant)["tracking_code"]
    app_id = application_id(client, team["officer"], tracking_code)
    to_verified(client, team["officer"], team["head"], app_id, team["head_id"],
                average_facts(source), people)  # fmt: skip
    if workers is not None:
        verification = db_session.scalar(
            select(Verification).where(Verification.application_id == app_id)
        )
        verification.assessment = {**verification.assessment, "low_income_workers": workers}
        db_session.commit()
    return app_id


def posted(client, team, app_id) -> dict:
    with on_day(client, POSTED_ON):
        return act(client, team["officer"], app_id, "post", starts_on=POSTED_ON.isoformat())


def decide(client, team, app_id, status=200, **body) -> dict:
    return act(client, team["chair"], app_id, "decide", status=status, number="12/QĐ-UBND",
               decided_on=DECIDED_ON, **body)  # fmt: skip


def error_code(answer: dict) -> str:
    return answer["error"]["code"]


def test_an_average_request_goes_without_meeting_to_recognition(client, team, db_session, app):
    app_id = verified(client, team, db_session)
    file = client.get(f"/api/v1/applications/{app_id}", headers=team["officer"]).get_json()
    assert file["kind"] == "average"
    with app.app_context():
        calendar = load_calendar(db_session)
        # The procedure's 15 days, counted as working days (provisional), from the start.
        assert (
            file["due_on"] == due_date(calendar, REVIEW_STARTED, 15, working_days=True).isoformat()
        )
        five_days = calendar.add_working_days(POSTED_ON, 5)
    assert "post" in file["allowed_actions"]
    assert "record_meeting" not in file["allowed_actions"]

    meeting = act(client, team["head"], app_id, "record_meeting", status=409,
                  held_on="2026-11-10", attendees=6, agreeing=6)  # fmt: skip
    assert "no village meeting" in meeting["error"]["message"]
    with on_day(client, POSTED_ON):
        short = act(client, team["officer"], app_id, "post", status=422,
                    starts_on=POSTED_ON.isoformat(),
                    ends_on=date(2026, 11, 18).isoformat())  # fmt: skip
    assert "5 working days" in short["error"]["fields"]["ends_on"]
    assert db_session.get(Application, app_id).status == "under_review"

    posting = posted(client, team, app_id)
    assert posting["status"] == "posted"
    assert posting["postings"][-1]["ends_on"] == five_days.isoformat()

    decided = decide(client, team, app_id, outcome="recognised")
    assert decided["status"] == "decided"
    status = db_session.scalar(select(HouseholdStatus))
    assert (status.classification, status.average_livelihood) == ("average", True)
    # No certificate: Mẫu 03 is only for poor and near-poor households that applied to enter.
    assert db_session.scalar(select(Certificate)) is None


def test_the_meeting_procedure_is_unchanged_for_a_request_to_enter(client, team, db_session):
    app_id = verified(client, team, db_session, kind="enter")
    refused = act(client, team["officer"], app_id, "post", status=409,
                  starts_on=POSTED_ON.isoformat())  # fmt: skip
    assert "village meeting" in refused["error"]["message"]
    file = client.get(f"/api/v1/applications/{app_id}", headers=team["officer"]).get_json()
    assert "record_meeting" in file["allowed_actions"]
    assert "post" not in file["allowed_actions"]


def test_a_household_not_living_from_farming_cannot_be_recognised(client, team, db_session):
    app_id = verified(client, team, db_session, source="other")
    posted(client, team, app_id)

    refused = decide(client, team, app_id, status=409, outcome="recognised")

    assert "not a farming, forestry, fishery or salt household" in refused["error"]["message"]
    assert db_session.get(Application, app_id).status == "posted"
    assert db_session.scalar(select(HouseholdStatus)) is None
    answered = decide(client, team, app_id, outcome="refused", reasons="Sống chủ yếu từ buôn bán.")
    assert answered["outcome"] == "refused"


def test_low_income_workers_are_recognised_only_when_the_verification_names_them(
    client, team, db_session
):
    none_found = verified(client, team, db_session, kind="low_income", workers=[])
    posted(client, team, none_found)
    refused = decide(client, team, none_found, status=409, outcome="recognised")
    assert "no low-income worker" in refused["error"]["message"]

    found = verified(client, team, db_session, kind="low_income", workers=[1])
    posted(client, team, found)
    decided = decide(client, team, found, outcome="recognised")
    assert decided["outcome"] == "recognised"


def test_the_officials_pages_walk_the_procedure_and_print_form_02(
    client, team, db_session, app, make_user
):
    app_id = verified(client, team, db_session)
    other = verified(client, team, db_session, source="other")
    home = html(team.officer.get("/officials/"))
    # The worklist's next step: the posting, no village meeting.
    assert "rồi niêm yết công khai kết quả tại trụ sở UBND xã (không họp dân)" in home

    form = html(team.officer.get("/officials/postings/new"))
    assert f'value="{app_id}"' in form
    assert f'value="{other}"' in form
    with on_day(client, POSTED_ON):
        response = team.officer.post(
            "/officials/postings/new",
            {"starts_on": POSTED_ON.isoformat(), "include": [str(app_id), str(other)]},
        )
    assert response.status_code == 303, html(response)

    page = html(team.chair.get("/officials/decisions/new"))
    assert f'id="not-recognisable-{other}"' in page
    assert f'id="not-recognisable-{app_id}"' not in page
    both = {"number": "12/QĐ-UBND", "decided_on": DECIDED_ON, f"outcome.{app_id}": "recognised",
            f"outcome.{other}": "recognised"}  # fmt: skip
    refused = team.chair.post("/officials/decisions/new", both)
    assert refused.status_code == 409
    assert db_session.get(Application, app_id).status == "posted"

    both[f"outcome.{other}"] = "refused"
    both[f"reasons.{other}"] = "Không làm nông nghiệp."
    recorded = team.chair.post("/officials/decisions/new", both)
    assert recorded.status_code == 303, html(recorded)
    sheet_url = recorded.headers["Location"]
    decision_id = int(sheet_url.rstrip("/").rsplit("/", 1)[1])
    sheet = html(team.chair.get(sheet_url))
    paper_url = f"/officials/decisions/{decision_id}/confirmation/average"
    assert paper_url in sheet
    assert f"/officials/decisions/{decision_id}/confirmation/low_income" not in sheet

    paper = html(team.chair.get(paper_url))
    assert "QUYẾT ĐỊNH" in paper
    assert ("Công nhận hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống "
            "trung bình năm 2026") in paper  # fmt: skip
    assert "Mẫu số 02" in paper
    assert "12/QĐ-UBND" in paper
    assert "ngày 24 tháng 11 năm 2026" in paper
    assert "CHỦ TỊCH" in paper
    assert "Quyết định số 24/2021/QĐ-TTg" in paper
    assert [f"Điều {n}." in paper for n in (1, 2, 3)] == [True, True, True]
    table = paper.split('id="recognised-list"')[1]
    head = db_session.get(Application, app_id).applicant_name
    assert [head in table, "Thôn 001" in table, "<td>2</td>" in table] == [True, True, True]
    assert table.count("<tr>") == 2  # the heading and the one recognised household

    entry = db_session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (entry.action, entry.object_id) == ("print_confirmation_decision", decision_id)
    accesses = access_report(db_session, entry.at, entry.at.replace(year=2100))
    printed = [a for a in accesses if a.action == "print_confirmation_decision"]
    assert [p.name for p in printed[0].people] == [
        db_session.get(Application, app_id).applicant_name
    ]

    elsewhere = sign_in(app, make_user, db_session, "commune_officer", units=["00073"])
    assert elsewhere.get(paper_url).status_code == 404
    assert (
        team.chair.get(f"/officials/decisions/{decision_id}/confirmation/enter").status_code == 404
    )


def test_the_low_income_paper_names_the_workers(client, team, db_session):
    app_id = verified(client, team, db_session, kind="low_income", workers=[1])
    posted(client, team, app_id)
    decide(client, team, app_id, outcome="recognised")
    decision_id = db_session.scalar(select(Decision.id))
    head, spouse = (db_session.get(Application, app_id).applicant_name, None)
    spouse = next(pair[1] for pair in HOUSEHOLDS if pair[0] == head)

    paper = html(team.chair.get(f"/officials/decisions/{decision_id}/confirmation/low_income"))

    assert "Công nhận người lao động có thu nhập thấp năm 2026" in paper
    table = paper.split('id="recognised-list"')[1]
    # The worker (member 1, the spouse), then the head of household.
    assert f"<td>{spouse}</td>" in table
    assert f"<td>{head}</td>" in table


def test_the_resident_follows_a_confirmation_on_the_status_page(client, team, db_session):
    app_id = verified(client, team, db_session)
    code = db_session.get(Application, app_id).tracking_code

    waiting = status_page(client, code).split('id="next-step"')[1].split("</div>")[0]
    assert "niêm yết kết quả tại trụ sở UBND xã" in waiting
    assert "họp dân" not in waiting

    posted(client, team, app_id)
    decide(client, team, app_id, outcome="recognised")
    decided = status_page(client, code)
    assert "Chủ tịch UBND xã đã ra quyết định công nhận" in decided


def test_the_monthly_report_counts_the_requests_and_the_recognitions(client, team, db_session):
    recognised = verified(client, team, db_session)
    verified(client, team, db_session, kind="low_income", workers=[0])
    posted(client, team, recognised)
    decide(client, team, recognised, outcome="recognised")

    report = client.get("/api/v1/monthly-reports?month=2026-11", headers=team["officer"])

    figures = report.get_json()["figures"]
    assert (figures["received_average"], figures["received_low_income"]) == (1, 1)
    assert (figures["received_enter"], figures["average_livelihood"]) == (0, 1)


def test_the_field_app_lists_no_confirmation_for_a_village_meeting(client, team, db_session):
    confirmation = verified(client, team, db_session)
    request_to_enter = verified(client, team, db_session, kind="enter")
    device = register(client, team["head"])

    work = client.get("/api/v1/field-work",
                      headers={**team["head"], "X-Device-Id": device["public_id"]})  # fmt: skip

    listed = {h["id"] for group in work.get_json()["meetings"] for h in group["households"]}
    assert request_to_enter in listed
    assert confirmation not in listed
