"""No cache keeps the hub's answers to its signed-in users (issue 12): every route walked
(tests/caching_contract.py); the hub holds no personal data, but its users' pages and figures
are theirs alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.services import accounts
from tests.caching_contract import CachingContract

# The open data (published and official figures only) is public too.
PUBLIC = frozenset(
    {
        "pages.index",
        "health.Health",
        "api-docs.openapi_json",
        "open_data.index",
        "open_data.figures_csv",
        "open_data.merger",
        "public.PublicStats",
        "public.SignedSnapshot",
    }
)
ASSETS = frozenset({"static"})


@pytest.fixture
def contract(app, client, signed_in, make_user, db_session) -> CachingContract:
    user = make_user("central_admin")
    token = accounts.open_session(db_session, user, accounts.API, now=datetime.now(UTC))
    db_session.commit()
    return CachingContract(
        app=app,
        anonymous=app.test_client(),
        signed_in=client,
        bearer={"Authorization": f"Bearer {token}"},
        public=PUBLIC,
        assets=ASSETS,
        samples={"snapshot_id": "0" * 64},
    )


def test_every_route_but_the_public_ones_answers_no_store(contract):
    assert not contract.unknown_endpoints()
    problems = contract.problems()
    assert not problems, "\n".join(problems)


def test_static_files_keep_their_year_long_cache_when_signed_in(contract):
    contract.static_file_stays_cached()
