"""schemathesis over the node's OpenAPI document: no 5xx, answers match the document, auth holds
— on SQLite, and on PostgreSQL as well when GIAMNGHEO_TEST_DATABASE_URL names a server.

Every operation is called with generated requests, anonymously and with an official's token
(the officials' endpoints then get past authentication and meet generated bodies). The check
that "schema-valid requests are accepted" is left out on purpose: household facts and tracking
codes carry rules (RULES §4, a check symbol) that an OpenAPI schema cannot express.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings

from node import create_app
from node.config import TestConfig
from node.extensions import db
from node.services import accounts
from shared.web.database import upgrade_database
from tests.fuzz_databases import postgres_url, sqlite_url

_directory = Path(tempfile.mkdtemp(prefix="giamngheo-fuzz-"))


def _fuzzed_app(url: str) -> tuple[Flask, dict[str, str]]:
    """The node on a new database at ``url``, with a province admin and a commune officer
    signed in over the API (their tokens by role)."""
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url}))
    app.config["SIGNING_KEY_FILE"] = str(_directory / "signing.pem")
    with app.app_context():
        upgrade_database()
        now = datetime.now(UTC)
        admin = accounts.create_user(
            db.session, "fuzz.admin", "fuzzing password 1", "province_admin", ["01"], "01", now=now
        )
        officer = accounts.create_user(
            db.session, "fuzz.officer", "fuzzing password 2", "commune_officer", ["00070"], "01",
            now=now,
        )  # fmt: skip
        tokens = {
            "province_admin": accounts.open_session(db.session, admin, accounts.API, now=now),
            "commune_officer": accounts.open_session(db.session, officer, accounts.API, now=now),
        }
        db.session.commit()
    return app, tokens


app, TOKENS = _fuzzed_app(sqlite_url("fuzz"))
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
# The answers' contract, not their transport: schemathesis's WSGI client does not undo gzip
# (tests/delivery_contract.py and the deploy test check compression).
IDENTITY = {"Accept-Encoding": "identity"}
FUZZ = settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
EXCLUDED = [schemathesis.checks.positive_data_acceptance]
# Signed-in runs add the Authorization header to every case, which defeats schemathesis's own
# "request without the required header must be refused" cases; the anonymous run keeps them.
EXCLUDED_SIGNED_IN = [*EXCLUDED, schemathesis.checks.negative_data_rejection]


@schema.parametrize()
@FUZZ
def test_anonymous_requests(case):
    case.call_and_validate(headers=IDENTITY, excluded_checks=EXCLUDED)


@schema.parametrize()
@FUZZ
def test_requests_of_a_province_admin(case):
    headers = {**IDENTITY, "Authorization": f"Bearer {TOKENS['province_admin']}"}
    case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_SIGNED_IN)


@schema.parametrize()
@FUZZ
def test_requests_of_a_commune_officer(case):
    headers = {**IDENTITY, "Authorization": f"Bearer {TOKENS['commune_officer']}"}
    case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_SIGNED_IN)


# The same on PostgreSQL, where a NUL, an overlong text or a number out of a column's range is
# an error of the database's own (GIAMNGHEO_TEST_DATABASE_URL; SQLite keeps what it is given).
POSTGRES = postgres_url("fuzz")
if POSTGRES:
    pg_app, PG_TOKENS = _fuzzed_app(POSTGRES)
    pg_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", pg_app)

    @pg_schema.parametrize()
    @FUZZ
    def test_anonymous_requests_on_postgresql(case):
        case.call_and_validate(headers=IDENTITY, excluded_checks=EXCLUDED)

    @pg_schema.parametrize()
    @FUZZ
    def test_requests_of_a_province_admin_on_postgresql(case):
        headers = {**IDENTITY, "Authorization": f"Bearer {PG_TOKENS['province_admin']}"}
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_SIGNED_IN)

    @pg_schema.parametrize()
    @FUZZ
    def test_requests_of_a_commune_officer_on_postgresql(case):
        headers = {**IDENTITY, "Authorization": f"Bearer {PG_TOKENS['commune_officer']}"}
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_SIGNED_IN)
