"""The officials' lists read a page in a fixed number of statements, whatever its length: no
row is loaded again one by one (bench/load.py found the list reloading all 50 rows after the
commit of its audit entry)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from node.extensions import db
from tests.node.review_helpers import submit

pytestmark = pytest.mark.usefixtures("fixed_clock")


@contextmanager
def counted_statements(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("path", ["/api/v1/applications", "/officials/applications"])
def test_a_longer_page_costs_no_more_statements(app, client, login_as, login_web, path):
    login_as("village_head", ["00070-001"])  # the village the applications name
    if path.startswith("/api"):
        read = lambda: client.get(path, headers=headers)  # noqa: E731
        headers = login_as("commune_officer")
    else:
        login_web("commune_officer")
        read = lambda: client.get(path)  # noqa: E731

    def statements_for_a_page_of(rows: int) -> int:
        while len(submitted) < rows:
            submitted.append(submit(client))
        with counted_statements(app) as statements:
            response = read()
        assert response.status_code == 200
        return len(statements)

    submitted: list[dict] = []
    short, long = statements_for_a_page_of(2), statements_for_a_page_of(12)
    assert long == short, f"{short} statements for 2 rows, {long} for 12"
