"""Issue 15 part 7: "Nhận hồ sơ giấy" — a commune officer takes in a paper form in the officials'
layout, the commune chosen already, in the words of a declaration made on the household's behalf;
the application records the officer and the date the paper bears."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from node.models import Application
from tests.builders import application_request
from tests.node.officials_helpers import html
from tests.node.portal_helpers import APPLICANT, COMMUNE, household_form

pytestmark = pytest.mark.usefixtures("fixed_clock")


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def hidden_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return {name: unescape(value) for name, value in fields.items()}


def assessment(officer) -> str:
    form = html(officer.get("/officials/paper?people=2"))
    response = officer.client.post(
        "/officials/paper",
        data={"csrf_token": csrf(form), **household_form(village="00070-001")},
    )
    assert response.status_code == 200, html(response)
    return html(response)


def test_the_paper_intake_opens_in_the_officials_layout_with_the_commune_chosen(team):
    page = html(team.officer.get("/officials/paper"))
    assert 'class="workspace-nav' in page
    assert "<h1>Nhận hồ sơ giấy</h1>" in page
    assert "thay cho hộ" in page
    # The officer's commune, and only it, chosen already.
    options = re.findall(r'<option value="(\d{5})"[^>]*>', page)
    assert options == [COMMUNE]
    assert re.search(rf'<option value="{COMMUNE}"[^>]*selected', page)
    # The workspace's home leads here, not to the resident portal.
    assert 'href="/officials/paper"' in html(team.officer.get("/officials/"))


def test_only_commune_officers_take_in_paper_forms(team):
    assert team.head.get("/officials/paper").status_code == 403
    assert team.chair.get("/officials/paper").status_code == 403


def test_a_paper_form_is_filed_with_the_officer_and_its_date(team, db_session):
    page = assessment(team.officer)
    assert 'action="/officials/paper/submit"' in page
    assert 'class="workspace-nav' in page
    assert "Ngày ghi trên tờ khai giấy" in page

    response = team.officer.client.post("/officials/paper/submit", data={
        **hidden_fields(page), **APPLICANT, "paper_dated_on": "2026-11-20"})  # fmt: skip

    assert response.status_code == 200, html(response)
    code = re.search(r'<p class="tracking-code"[^>]*>([^<]+)</p>', html(response)).group(1)
    filed = db_session.scalar(
        select(Application).where(Application.tracking_code == code.replace("-", ""))
    )
    assert filed.channel == "paper"
    assert filed.filed_by_id == team.officer.user_id
    assert filed.paper_dated_on == date(2026, 11, 20)
    assert filed.events[0].actor_role == "commune_officer"


@pytest.mark.parametrize("dated", ["2026-12-01", "2025-01-01", "not a date"])
def test_an_implausible_paper_date_is_refused_and_nothing_filed(team, db_session, dated):
    page = assessment(team.officer)
    response = team.officer.client.post("/officials/paper/submit", data={
        **hidden_fields(page), **APPLICANT, "paper_dated_on": dated})  # fmt: skip
    assert response.status_code == 422
    assert "Nhập ngày ghi trên tờ khai giấy" in html(response)
    assert db_session.scalar(select(Application.id)) is None


def test_a_resident_cannot_give_a_paper_date(client, team):
    body = application_request(paper_dated_on="2026-11-20")
    response = client.post("/api/v1/applications", json=body,
                           headers={"Idempotency-Key": "paper-date-resident-1"})  # fmt: skip
    assert response.status_code == 422
    assert "paper_dated_on" in response.get_json()["error"]["fields"]
