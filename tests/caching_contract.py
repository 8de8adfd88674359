"""No cache keeps an answer that can carry personal data (DESIGN §5, issue 12): each app's URL
map walked route by route and method by method, anonymously and signed in.

Each app's test names, by endpoint, the only routes whose answers a cache may keep:

- ``public``: the same for every anonymous visitor and nothing personal (the home page, the
  public API's units and standards, health, the OpenAPI document); a signed-in user's copy of
  them is never kept, since a page shows who is signed in;
- ``assets``: files that are the same for everyone, kept whoever asks (static files under
  content-hashed names stay cached a year).

Every other route answers ``Cache-Control: no-store``, errors included, to everyone. A new
route therefore fails here until it is no-store or named public by someone who checked it.
tests/node/test_caching.py and tests/hub/test_caching.py give each app's lists and sign-ins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask import Flask, url_for
from flask.testing import FlaskClient

IMMUTABLE = "public, max-age=31536000, immutable"
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")
# Values for every path argument of either app's routes; an app may add or override some.
SAMPLES = {
    "application_id": "1",
    "flag_id": "1",
    "request_id": "1",
    "user_id": "1",
    "village_id": "1",
    "decision_id": "1",
    "meeting_id": "1",
    "posting_id": "1",
    "kind": "average",
    "tracking_code": "K7QMT4XPR2",
    "form": "R5",
    "fmt": "csv",
    "filename": "css/app.css",
    "day": "2026-09-02",
    "standard_id": "VN-2022-2025",
    "action": "verify",
    "code": "01",
    "name": "national",
}
# Signing out ends the signed-in client's session: those go last.
LAST = ("logout",)


@dataclass
class CachingContract:
    """One app's routes, who may cache what, and its anonymous and signed-in clients."""

    app: Flask
    anonymous: FlaskClient
    # Signed in on the web (session cookie) for pages, with ``bearer`` for the API.
    signed_in: FlaskClient
    bearer: Mapping[str, str]
    public: frozenset[str]
    assets: frozenset[str]
    samples: Mapping[str, str] = field(default_factory=dict)

    def requests(self) -> list[tuple[str, str, str]]:
        """(endpoint, method, path) for every route of the URL map, sign-outs last."""
        samples = {**SAMPLES, **self.samples}
        found = []
        for rule in self.app.url_map.iter_rules():
            path = ARGUMENT.sub(lambda match: samples[match.group(1)], rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, path))
        return sorted(found, key=lambda item: (any(word in item[0].lower() for word in LAST), item))

    def problems(self) -> list[str]:
        """Every answer a cache could keep that it must not (or an asset it may not keep)."""
        problems = []
        for endpoint, method, path in self.requests():
            for who, client, headers in self._callers(path):
                response = client.open(path, method=method, headers=headers)
                cache = directives(response.headers.get("Cache-Control", ""))
                if endpoint in self.assets:
                    if "no-store" in cache:
                        problems.append(f"{method} {path} ({who}): an asset, yet no-store")
                elif endpoint in self.public and who == "anonymous":
                    continue
                elif "no-store" not in cache or "ETag" in response.headers:
                    problems.append(
                        f"{method} {path} ({who}) → {response.status_code}, "
                        f"Cache-Control {response.headers.get('Cache-Control')!r}"
                        + (", with an ETag" if "ETag" in response.headers else "")
                    )
        return problems

    def _callers(self, path: str) -> Iterable[tuple[str, FlaskClient, Mapping[str, str]]]:
        yield "anonymous", self.anonymous, {}
        yield "signed in", self.signed_in, self.bearer if path.startswith("/api/") else {}

    def unknown_endpoints(self) -> set[str]:
        """Endpoints named public or assets that the app does not have (a stale list)."""
        return (self.public | self.assets) - {
            rule.endpoint for rule in self.app.url_map.iter_rules()
        }

    def static_file_stays_cached(self) -> None:
        """A static file under its hashed name is cached a year, even for a signed-in user."""
        with self.app.test_request_context():
            path = url_for("static", filename="css/app.css")
        for client in (self.anonymous, self.signed_in):
            response = client.get(path)
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == IMMUTABLE


def directives(header: str) -> set[str]:
    """The directives of a Cache-Control header, without their values: {"no-store", …}."""
    return {part.split("=")[0].strip().lower() for part in header.split(",") if part.strip()}
