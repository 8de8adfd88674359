"""An app database's life cycle: SQLite's settings, is it reachable, migrate it, refuse one that
is behind the code."""

from __future__ import annotations

import logging

import flask_migrate
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseNotCurrent(RuntimeError):
    """The database is not at the latest migration, so the code and the schema disagree."""


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite enforce foreign keys, let SQLAlchemy own its transactions, serialise writers.

    pysqlite opens transactions itself, late, which breaks SAVEPOINTs (nested transactions);
    this is the SQLAlchemy documentation's recipe for handing that job back to SQLAlchemy.

    A request that writes takes SQLite's write lock when its transaction begins (``BEGIN
    IMMEDIATE``): concurrent writers then queue for the lock (the busy timeout) instead of failing
    with "database is locked" when a read transaction tries to become a write one. WAL lets
    readers go on meanwhile; the web server and the scheduler are two processes writing one file.
    PostgreSQL, the production database, needs none of this.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        writing = has_request_context() and request.method not in SAFE_METHODS
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def app_db() -> SQLAlchemy:
    """The current app's Flask-SQLAlchemy extension."""
    return current_app.extensions["sqlalchemy"]


def database_answers() -> bool:
    """Whether the current app's database answers a trivial query."""
    try:
        app_db().session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.warning("The database does not answer", exc_info=True)
        return False
    return True


def upgrade_database() -> None:
    """Create the schema, or migrate it to the latest revision; doing it twice changes nothing."""
    flask_migrate.upgrade()


def revisions() -> tuple[frozenset[str], frozenset[str]]:
    """The revisions the database is at, and the latest ones the code knows (the heads)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = frozenset(ScriptDirectory.from_config(config).get_heads())
    context = MigrationContext.configure(app_db().session.connection())
    return frozenset(context.get_current_heads()), heads


def ensure_database_current() -> None:
    """Raise DatabaseNotCurrent unless the database is at the latest revision."""
    current, heads = revisions()
    if current != heads:
        name = current_app.config["APP_NAME"]
        raise DatabaseNotCurrent(
            f"The {name} database is at revision {', '.join(sorted(current)) or 'none'} but "
            f"the code needs {', '.join(sorted(heads))}; run `giamngheo {name} init-db` first."
        )
