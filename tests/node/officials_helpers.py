"""Helpers for the officials' workspace tests: signed-in browsers (test clients) per official,
the CSRF token of their forms, and applications brought to a step through the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import g, has_app_context
from flask.testing import FlaskClient

from node.services import accounts
from shared.web.auth import SESSION_KEY
from tests.node.review_helpers import (
    NOW,
    application_id,
    submit,
    to_posted,
    to_verified,
)

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """An official's own test client, signed in on the web, and their bearer headers."""

    client: FlaskClient
    user_id: int
    bearer: dict[str, str]

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, **kwargs)

    def token(self, path: str = "/officials/") -> str:
        """The CSRF token the forms of this session carry."""
        # The tests keep one app context open around all requests, so flask.g (where
        # Flask-WTF caches the token) would hand one browser the token of another session.
        if has_app_context():
            g.pop("csrf_token", None)
        html = self.client.get(path).get_data(as_text=True)
        match = TOKEN.search(html)
        assert match, f"no form token on {path}"
        return match.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kwargs):
        """Submit a form as the browser would, with the session's CSRF token."""
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.token()
        return self.client.post(path, data=body, **kwargs)


def sign_in(app, make_user, db_session, role: str, units=None, **kwargs) -> Browser:
    """A new official of ``role`` signed in on a fresh client (web session and API token)."""
    user = make_user(role, units, **kwargs)
    web = accounts.open_session(db_session, user, accounts.WEB, now=NOW)
    api = accounts.open_session(db_session, user, accounts.API, now=NOW)
    db_session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = web
    return Browser(client, user.id, {"Authorization": f"Bearer {api}"})


def html(response) -> str:
    """A response's page as text."""
    return response.get_data(as_text=True)


def new_application(client: FlaskClient, officer: Browser, **changes: Any) -> int:
    """A resident's application (through the public API); its id."""
    tracking = submit(client, **changes)["tracking_code"]
    return application_id(client, officer.bearer, tracking)


@dataclass
class Team:
    """A commune's officer, chair and village head (village 00070-001), each signed in.

    The API tests spell it as a mapping: ``team["officer"]``, ``team["chair"]`` and
    ``team["head"]`` are the official's bearer headers, ``team["head_id"]`` the head's user id.
    """

    officer: Browser
    chair: Browser
    head: Browser

    def __getitem__(self, key: str) -> dict[str, str] | int:
        if key == "head_id":
            return self.head.user_id
        if key not in ("officer", "chair", "head"):
            raise KeyError(key)
        return getattr(self, key).bearer


def make_team(app, make_user, db_session) -> Team:
    """The officials of commune 00070 a review needs."""
    return Team(
        officer=sign_in(app, make_user, db_session, "commune_officer"),
        chair=sign_in(app, make_user, db_session, "commune_chair"),
        head=sign_in(app, make_user, db_session, "village_head"),
    )


# A second household's members, none sharing an ID number with IDENTITIES.
OTHER_IDENTITIES = [
    {"full_name": "Trần Văn Bình", "citizen_id": "001190054321", "ethnicity": "Kinh"},
    {"full_name": "Đỗ Thị Hoa", "citizen_id": "001190054322", "ethnicity": "Kinh"},
]


def verified(client: FlaskClient, team: Team, app_id: int, facts=None, identities=None) -> None:
    """Start the review (assigned to the team's head) and record the verification, via the API,
    on REVIEW_STARTED."""
    to_verified(client, team.officer.bearer, team.head.bearer, app_id, team.head.user_id,
                facts, identities)  # fmt: skip


def posted(client: FlaskClient, team: Team, app_id: int) -> None:
    """Bring an application to `posted`, the posting over before today, via the API."""
    to_posted(client, team.officer.bearer, team.head.bearer, app_id, team.head.user_id)


def version_of(client: FlaskClient, browser: Browser, app_id: int) -> int:
    """The application's current version, as a freshly opened form carries it."""
    return client.get(f"/api/v1/applications/{app_id}", headers=browser.bearer).get_json()[
        "version"
    ]


def verification_form(browser, app_id) -> dict[str, str]:
    """The verification form's fields as the page fills them (the resident's declaration)."""
    page = html(browser.get(f"/officials/applications/{app_id}/verify"))
    form = page.split('id="verification"')[1]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="radio"' in tag and " checked" not in tag:
            continue
        values[name.group(1)] = value.group(1) if value else ""
    for name, chosen in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', form, re.S
    ):
        values[name] = chosen
    return values
