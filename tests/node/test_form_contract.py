"""Every officials' form and the JSON API refuse the same bad input the same way (issue 11).

For each form that POSTs, the same bad input — text too long, NUL and other control characters,
impossible dates, words where a number goes — is sent through the page and through the API
endpoint that takes the same step. Both answer 422 naming the same fields with the same
Vietnamese messages (the page lists them in its error summary, each ``data-field`` the field's
path in the API), nothing is cut short and nothing is written. The province admin's forms have
no endpoint: their answer is held to the schema they load, as an endpoint would load it.
Forms without input (sign out, disable or enable an account, switch off its second factor,
remove a day off) are left out.
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
import pytest
from sqlalchemy import func, select

from node.models import (
    Application,
    ApplicationEvent,
    CommuneHouseholdCount,
    Complaint,
    Decision,
    DistrictOpinion,
    Holiday,
    Meeting,
    PeriodClose,
    PeriodicReview,
    Posting,
    User,
    Verification,
    Village,
)
from node.schemas import admin as admin_schemas
from node.schemas import auth as auth_schemas
from shared.web.errors import flatten_messages as field_errors
from tests.builders import household
from tests.node.officials_helpers import (
    html,
    make_team,
    new_application,
    posted,
    sign_in,
    verification_form,
    verified,
    version_of,
)
from tests.node.review_helpers import NOW, act

LONG_NAME = "Nguyễn " * 30  # 210 characters
NUL = "Hộ nghèo\x00"
CONTROL = "Ghi chú\x07"
OVERLONG_5000 = "x" * 5001
OVERLONG_2000 = "x" * 2001
SUMMARY_ITEM = re.compile(r'<li data-field="([^"]+)">(?:<a [^>]*>)?(.*?)(?:</a>)?</li>', re.S)
WRITTEN = (Application, ApplicationEvent, Verification, Meeting, Posting, Complaint,
           DistrictOpinion, Decision, PeriodicReview, User, Village, Holiday,
           CommuneHouseholdCount, PeriodClose)  # fmt: skip


@pytest.fixture(autouse=True)
def fixed_clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_NOW", NOW)


@pytest.fixture
def team(app, make_user, db_session):
    return make_team(app, make_user, db_session)


def page_fields(response) -> dict[str, str]:
    """The page's error summary: field path (as the API names it) → message."""
    return {
        html_text.unescape(name): html_text.unescape(message).strip()
        for name, message in SUMMARY_ITEM.findall(html(response))
    }


def what_is_written(db_session) -> tuple:
    """Everything a form could change: row counts, each application's status and version,
    each account's password and state, each village's name and state."""
    db_session.expire_all()
    counts = tuple(db_session.scalar(select(func.count()).select_from(model)) for model in WRITTEN)
    applications = tuple(db_session.execute(
        select(Application.id, Application.status, Application.version).order_by(Application.id)
    ))  # fmt: skip
    users = tuple(db_session.execute(
        select(User.id, User.password_hash, User.active, User.totp_pending_secret)
        .order_by(User.id)
    ))  # fmt: skip
    villages = tuple(
        db_session.execute(select(Village.id, Village.name, Village.active).order_by(Village.id))
    )
    return counts, applications, users, villages


@dataclass
class Case:
    """One form: how to get there, what the page gets, what the API (or the schema) gets."""

    prepare: Callable[..., dict[str, Any]]
    page: Callable[[dict[str, Any]], tuple[str, str, dict[str, Any]]]
    # (who, path, JSON body) of the endpoint taking the same step, if there is one ...
    api: Callable[[dict[str, Any]], tuple[str, str, dict[str, Any]]] | None = None
    # ... else the schema the form loads, and the body the form amounts to.
    schema: Callable[[dict[str, Any]], tuple[ma.Schema, dict[str, Any]]] | None = None
    expected: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- preparations


def submitted(client, team, **_):
    app_id = new_application(client, team.officer)
    return {"id": app_id, "version": version_of(client, team.officer, app_id)}


def under_review(client, team, **_):
    app_id = new_application(client, team.officer)
    act(client, team.officer.bearer, app_id, "start_review", assign_to=team.head.user_id)
    return {"id": app_id, "version": version_of(client, team.officer, app_id)}


def verified_one(client, team, **_):
    app_id = new_application(client, team.officer)
    verified(client, team, app_id)
    return {"id": app_id, "version": version_of(client, team.officer, app_id)}


def meeting_held(client, team, **_):
    found = verified_one(client, team)
    act(client, team.head.bearer, found["id"], "record_meeting", held_on="2026-11-10",
        attendees=10, agreeing=6)  # fmt: skip
    found["version"] = version_of(client, team.officer, found["id"])
    return found


def posted_one(client, team, **_):
    app_id = new_application(client, team.officer)
    posted(client, team, app_id)
    return {"id": app_id, "version": version_of(client, team.officer, app_id)}


def nothing(client, team, **_):
    return {}


def admin_and_officer(client, team, app, make_user, db_session):
    admin = sign_in(app, make_user, db_session, "province_admin", ["01"])
    village = db_session.scalar(select(Village).where(Village.code == "00070-001"))
    return {"admin": admin, "user": team.officer.user_id, "village": village.id}


def on_file(action_path):
    return lambda ctx: f"/officials/applications/{ctx['id']}/{action_path}"


def api_action(action):
    return lambda ctx: f"/api/v1/applications/{ctx['id']}/actions/{action}"


# -------------------------------------------------------------------------------- the forms

CASES = {
    "start review": Case(
        submitted,
        page=lambda c: ("officer", on_file("start-review")(c),
                        {"version": c["version"], "assign_to": "trưởng thôn"}),
        api=lambda c: ("officer", api_action("start_review")(c),
                       {"version": c["version"], "assign_to": "trưởng thôn"}),
        expected=("assign_to",),
    ),
    "assign": Case(
        under_review,
        page=lambda c: ("officer", on_file("assign")(c), {"version": "cũ", "user_id": "0"}),
        api=lambda c: ("officer", api_action("assign")(c), {"version": "cũ", "user_id": "0"}),
        expected=("version", "user_id"),
    ),
    "verify": Case(
        under_review,
        page=lambda c: ("head", f"/officials/applications/{c['id']}/verify", {}),
        api=lambda c: ("head", api_action("verify")(c), {}),
        expected=("facts.members.0.birth_date", "identities.0.full_name",
                  "identities.0.ethnicity", "address"),
        extra={"verify": True},
    ),
    "complaint": Case(
        posted_one,
        page=lambda c: ("officer", on_file("complaint")(c), {
            "version": c["version"], "content": OVERLONG_5000, "complainant": NUL,
            "received_on": "2026-13-45"}),
        api=lambda c: ("officer", api_action("complaint")(c), {
            "version": c["version"], "content": OVERLONG_5000, "complainant": NUL,
            "received_on": "2026-13-45"}),
        expected=("content", "complainant", "received_on"),
    ),
    "district opinion": Case(
        posted_one,
        page=lambda c: ("officer", on_file("district-opinion")(c), {
            "version": c["version"], "received_on": "31/02/2026", "agrees": "có lẽ",
            "note": OVERLONG_2000}),
        api=lambda c: ("officer", api_action("district_opinion")(c), {
            "version": c["version"], "received_on": "2026-02-31", "agrees": "có lẽ",
            "note": OVERLONG_2000}),
        expected=("received_on", "agrees", "note"),
    ),
    "withdraw": Case(
        verified_one,
        page=lambda c: ("officer", on_file("withdraw")(c),
                        {"version": c["version"], "confirm": "yes", "note": CONTROL}),
        api=lambda c: ("officer", api_action("withdraw")(c),
                       {"version": c["version"], "note": CONTROL}),
        expected=("note",),
    ),
    "resolve a duplicate": Case(
        verified_one,
        page=lambda c: ("officer", on_file("duplicates/1")(c),
                        {"version": c["version"], "resolution": "gộp", "note": OVERLONG_2000}),
        api=lambda c: ("officer", "/api/v1/duplicates/1/resolve",
                       {"version": c["version"], "resolution": "gộp", "note": OVERLONG_2000}),
        expected=("resolution", "note"),
    ),
    "village meeting": Case(
        verified_one,
        page=lambda c: ("head", "/officials/meetings/new", {
            "village": "00070-001", "held_on": "30/02/2026", "attendees": "mười",
            "chaired_by": LONG_NAME, "include": [str(c["id"])], f"agreeing.{c['id']}": "-1",
            f"version.{c['id']}": c["version"]}),
        api=lambda c: ("head", "/api/v1/meetings", {
            "village_code": "00070-001", "held_on": "2026-02-30", "attendees": "mười",
            "chaired_by": LONG_NAME,
            "votes": [{"application_id": c["id"], "agreeing": "-1", "version": c["version"]}]}),
        expected=("held_on", "attendees", "chaired_by", "votes.0.agreeing"),
    ),
    "public posting": Case(
        meeting_held,
        page=lambda c: ("officer", "/officials/postings/new", {
            "starts_on": "2026-11-31", "ends_on": "hôm sau", "include": [str(c["id"])],
            f"version.{c['id']}": c["version"]}),
        api=lambda c: ("officer", "/api/v1/postings", {
            "starts_on": "2026-11-31", "ends_on": "hôm sau", "application_ids": [c["id"]],
            "versions": {str(c["id"]): c["version"]}}),
        expected=("starts_on", "ends_on"),
    ),
    "decision": Case(
        posted_one,
        page=lambda c: ("chair", "/officials/decisions/new", {
            "number": "1/QĐ-UBND" * 10, "decided_on": "hôm nay",
            f"outcome.{c['id']}": "công nhận", f"reasons.{c['id']}": NUL,
            f"version.{c['id']}": c["version"]}),
        api=lambda c: ("chair", "/api/v1/decisions", {
            "number": "1/QĐ-UBND" * 10, "decided_on": "hôm nay",
            "lines": [{"application_id": c["id"], "outcome": "công nhận", "reasons": NUL,
                       "version": c["version"]}]}),
        expected=("number", "decided_on", "lines.0.outcome", "lines.0.reasons"),
    ),
    "periodic review": Case(
        nothing,
        page=lambda c: ("officer", "/officials/periodic", {"period": "năm sau"}),
        api=lambda c: ("officer", "/api/v1/periodic-reviews", {"period": "năm sau"}),
        expected=("period",),
    ),
    "sign-in": Case(
        nothing,
        page=lambda c: ("anonymous", "/officials/login",
                        {"username": "u" * 65, "password": "p" * 1025, "totp": "1" * 17}),
        api=lambda c: ("anonymous", "/api/v1/auth/token",
                       {"username": "u" * 65, "password": "p" * 1025, "totp": "1" * 17}),
        expected=("username", "password", "totp"),
    ),
    "second factor": Case(
        nothing,
        page=lambda c: ("officer", "/officials/account/totp",
                        {"step": "confirm", "code": "1" * 17}),
        schema=lambda c: (auth_schemas.TotpCodeSchema(), {"step": "confirm", "code": "1" * 17}),
        expected=("code",),
    ),
    "new account": Case(
        admin_and_officer,
        page=lambda c: ("admin", "/admin/users/new", {
            "username": "u" * 65, "full_name": LONG_NAME, "role": "vua",
            "units": "00070", "password": "p" * 1025}),
        schema=lambda c: (admin_schemas.NewUserSchema(), {
            "username": "u" * 65, "full_name": LONG_NAME, "role": "vua",
            "units": "00070", "password": "p" * 1025}),
        expected=("username", "full_name", "role", "password"),
    ),
    "new password": Case(
        admin_and_officer,
        page=lambda c: ("admin", f"/admin/users/{c['user']}/password", {"password": "p" * 1025}),
        schema=lambda c: (admin_schemas.PasswordSchema(), {"password": "p" * 1025}),
        expected=("password",),
    ),
    "new village": Case(
        admin_and_officer,
        page=lambda c: ("admin", "/admin/villages",
                        {"commune": "70", "name": LONG_NAME, "area": "rừng"}),
        schema=lambda c: (admin_schemas.VillageSchema(),
                          {"commune": "70", "name": LONG_NAME, "area": "rừng"}),
        expected=("commune", "name", "area"),
    ),
    "rename a village": Case(
        admin_and_officer,
        page=lambda c: ("admin", f"/admin/villages/{c['village']}/rename",
                        {"commune": "00070", "name": NUL}),
        schema=lambda c: (admin_schemas.VillageNameSchema(), {"commune": "00070", "name": NUL}),
        expected=("name",),
    ),
    "deactivate a village": Case(
        admin_and_officer,
        page=lambda c: ("admin", f"/admin/villages/{c['village']}/active",
                        {"commune": "00070", "active": "có lẽ"}),
        schema=lambda c: (admin_schemas.VillageActiveSchema(),
                          {"commune": "00070", "active": "có lẽ"}),
        expected=("active",),
    ),
    "import villages": Case(
        admin_and_officer,
        page=lambda c: ("admin", "/admin/villages/import", {"commune": "Hà Nội"}),
        schema=lambda c: (admin_schemas.VillageImportSchema(), {"commune": "Hà Nội"}),
        expected=("commune",),
    ),
    "household counts": Case(
        admin_and_officer,
        page=lambda c: ("admin", "/admin/households",
                        {"period": "2026", "count.00070": "nhiều", "count.00073": "99999999999"}),
        schema=lambda c: (admin_schemas.HouseholdCountsSchema(),
                          {"period": "2026", "counts": {"00070": "nhiều",
                                                        "00073": "99999999999"}}),
        expected=("counts.00070.value", "counts.00073.value"),
    ),
    "year close": Case(
        admin_and_officer,
        page=lambda c: ("admin", "/admin/periods",
                        {"period": "20260", "decision_number": NUL, "decided_on": "2026-02-30"}),
        schema=lambda c: (admin_schemas.ClosePeriodSchema(),
                          {"period": "20260", "decision_number": NUL,
                           "decided_on": "2026-02-30"}),
        expected=("period", "decision_number", "decided_on"),
    ),
    "day off": Case(
        admin_and_officer,
        page=lambda c: ("admin", "/admin/holidays", {"day": "2026-02-30", "name": "x" * 101}),
        schema=lambda c: (admin_schemas.HolidaySchema(), {"day": "2026-02-30", "name": "x" * 101}),
        expected=("day", "name"),
    ),
}  # fmt: skip


def verification_page_form(browser, app_id) -> dict[str, str]:
    """The verification form as the page fills it (the declared facts), made wrong in four
    places."""
    form = verification_form(browser, app_id)
    form.update({
        "members.0.birth_date": "2030-01-01",
        "identities.0.full_name": LONG_NAME,
        "identities.0.ethnicity": CONTROL,
        "address": NUL,
    })  # fmt: skip
    return form


def verification_body(ctx) -> dict[str, Any]:
    """The same answers as the API's verify body: the declared facts, the same four wrong."""
    facts = household()
    facts["members"][0]["birth_date"] = "2030-01-01"
    identities = [{"full_name": LONG_NAME, "citizen_id": "001190012345", "ethnicity": CONTROL}]
    return {"version": ctx["version"], "facts": facts, "identities": identities, "address": NUL}


@pytest.mark.parametrize("name", list(CASES))
def test_a_form_and_the_api_refuse_the_same_input_in_the_same_words(
    app, client, db_session, make_user, team, name
):
    case = CASES[name]
    ctx = case.prepare(client, team, app=app, make_user=make_user, db_session=db_session)
    browsers = {"officer": team.officer, "chair": team.chair, "head": team.head, **ctx}
    who, path, form = case.page(ctx)
    if case.extra.get("verify"):
        form = verification_page_form(team.head, ctx["id"])
    before = what_is_written(db_session)

    if who == "anonymous":
        token_page = client.get("/officials/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
        page = client.post(path, data={**form, "csrf_token": token})
    else:
        page = browsers[who].post(path, form)

    assert page.status_code == 422, html(page)
    shown = page_fields(page)
    assert set(case.expected) <= set(shown), shown
    if case.api is not None:
        api_who, api_path, body = case.api(ctx)
        if case.extra.get("verify"):
            body = verification_body(ctx)
        headers = browsers[api_who].bearer if api_who != "anonymous" else {}
        answer = client.post(api_path, json=body, headers=headers)
        assert answer.status_code == 422, answer.get_json()
        assert shown == answer.get_json()["error"]["fields"]
    else:
        schema, body = case.schema(ctx)
        with app.test_request_context():
            with pytest.raises(ma.ValidationError) as refused:
                schema.load(body)
            assert shown == field_errors(refused.value.messages)
    # In Vietnamese (the default: every message has its tone marks), and nothing written.
    assert not [message for message in shown.values() if message.isascii()], shown
    assert what_is_written(db_session) == before


def test_the_messages_speak_english_on_request(client, team):
    found = posted_one(client, team)
    response = client.post(
        f"/api/v1/applications/{found['id']}/actions/complaint?lang=en",
        json={"content": OVERLONG_5000},
        headers=team.officer.bearer,
    )
    assert response.get_json()["error"]["fields"] == {
        "content": "Enter at least 1 and at most 5000 characters."
    }
