"""schemathesis over the hub's OpenAPI document: no 5xx, answers as documented, auth holds."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from hub import create_app
from hub.config import TestConfig
from hub.extensions import db
from hub.services import accounts
from shared.web.database import upgrade_database

_directory = Path(tempfile.mkdtemp(prefix="giamngheo-hub-fuzz-"))
app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": f"sqlite:///{_directory / 'hub.db'}"}))
with app.app_context():
    upgrade_database()
    _now = datetime.now(UTC)
    _user = accounts.create_user(
        db.session, "fuzz.viewer", "fuzzing password 1", "central_viewer", now=_now
    )
    TOKEN = accounts.open_session(db.session, _user, accounts.API, now=_now)
    db.session.commit()

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
