"""schemathesis over the hub's OpenAPI document: no 5xx, answers as documented, auth holds — on
SQLite, and on PostgreSQL as well when GIAMNGHEO_TEST_DATABASE_URL names a server."""

from __future__ import annotations

from datetime import UTC, datetime

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings

from hub import create_app
from hub.config import TestConfig
from hub.extensions import db
from hub.services import accounts
from shared.web.database import upgrade_database
from tests.fuzz_databases import postgres_url, sqlite_url


def _fuzzed_app(url: str) -> tuple[Flask, str]:
    """The hub on a new database at ``url``, and a central viewer's API token."""
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url}))
    with app.app_context():
        upgrade_database()
        now = datetime.now(UTC)
        user = accounts.create_user(
            db.session, "fuzz.viewer", "fuzzing password 1", "central_viewer", now=now
        )
        token = accounts.open_session(db.session, user, accounts.API, now=now)
        db.session.commit()
    return app, token


app, TOKEN = _fuzzed_app(sqlite_url("hub-fuzz"))
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
# The answers' contract, not their transport: schemathesis's WSGI client does not undo gzip
# (tests/delivery_contract.py and the deploy test check compression).
IDENTITY = {"Accept-Encoding": "identity"}
FUZZ = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
# Household-free as the hub is, its rules still outrun a schema (a period with data, a province
# code that exists): schema-valid requests may rightly be refused.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]
EXCLUDED_SIGNED_IN = [*EXCLUDED, schemathesis.checks.negative_data_rejection]


@schema.parametrize()
@FUZZ
def test_anonymous_requests(case):
    case.call_and_validate(headers=IDENTITY, excluded_checks=EXCLUDED)


@schema.parametrize()
@FUZZ
def test_requests_of_a_central_viewer(case):
    case.call_and_validate(
        headers={**IDENTITY, "Authorization": f"Bearer {TOKEN}"},
        excluded_checks=EXCLUDED_SIGNED_IN,
    )


POSTGRES = postgres_url("hub_fuzz")
if POSTGRES:
    pg_app, PG_TOKEN = _fuzzed_app(POSTGRES)
    pg_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", pg_app)

    @pg_schema.parametrize()
    @FUZZ
    def test_anonymous_requests_on_postgresql(case):
        case.call_and_validate(headers=IDENTITY, excluded_checks=EXCLUDED)

    @pg_schema.parametrize()
    @FUZZ
    def test_requests_of_a_central_viewer_on_postgresql(case):
        case.call_and_validate(
            headers={**IDENTITY, "Authorization": f"Bearer {PG_TOKEN}"},
            excluded_checks=EXCLUDED_SIGNED_IN,
        )
