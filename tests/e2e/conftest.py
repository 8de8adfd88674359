"""Browser tests: the node served by a real server on a fresh database, driven in Debian's Chromium.

Chromium comes from the system (`/usr/bin/chromium`, installed by .ci/run), never from Playwright's
downloads; axe-core comes from npm (`npm ci`, run by `make install`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from node import create_app
from node.config import TestConfig
from node.extensions import db
from node.models import Application
from node.services.places import add_village
from shared.web.database import upgrade_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a browser test."""
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)


class Node:
    """A served node: its base URL and its app (for looking at the database)."""

    def __init__(self, url: str, app) -> None:
        self.url = url
        self.app = app

    def applications(self) -> list[Application]:
        """Every application in the node's database, oldest first."""
        with self.app.app_context():
            rows = db.session.scalars(select(Application).order_by(Application.id)).all()
            for row in rows:
                db.session.expunge(row)
            return rows

    def add_village(self, commune_code: str, name: str) -> str:
        """A new village of the commune; its code."""
        with self.app.app_context():
            village = add_village(db.session, commune_code, name)
            db.session.commit()
            return village.code


@contextmanager
def serve_node(database_url: str) -> Iterator[Node]:
    """The node on the database at ``database_url`` (migrated), served on a free local port."""
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": database_url}))
    # During 2026 the portal asks and shows both standards; the browser keeps its own clock.
    app.config["FIXED_NOW"] = NOW
    with app.app_context():
        upgrade_database()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Node(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def node_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """The node on a new SQLite database, served on a free local port."""
    path = tmp_path_factory.mktemp("e2e") / "node.db"
    with serve_node(f"sqlite:///{path}") as node:
        yield node


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium; a missing one fails the tests (CI installs it)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, node_server) -> Iterator[Callable[..., object]]:
    """Make phone-sized Vietnamese browser contexts on the served node (or ``base_url``);
    closed afterwards."""
    contexts = []

    def make(**options):
        options = {
            "base_url": node_server.url,
            "viewport": PHONE,
            "locale": "vi-VN",
            "service_workers": "allow",
            **options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh phone-sized context."""
    return new_context().new_page()
