"""What the node's and the hub's session tests do alike, as a browser or an attacker would:
read and plant the session cookie, and read a form's CSRF token."""

from __future__ import annotations

import re

from flask import g, has_app_context

CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def cookie(app, client) -> str | None:
    """The browser's session cookie, as an attacker who copied it would hold it."""
    found = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return None if found is None else found.value


def replay(app, client, value: str) -> None:
    """Plant ``value`` as the session cookie of ``client``."""
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)


def form_token(client, path: str) -> str:
    """The CSRF token of the form at ``path``."""
    # One app context spans the test's requests: drop the CSRF token Flask-WTF cached on g.
    if has_app_context():
        g.pop("csrf_token", None)
    return CSRF_TOKEN.search(client.get(path).get_data(as_text=True))[1]
