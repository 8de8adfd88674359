"""The hub database's life cycle: is it reachable, migrate it, refuse one that is behind."""

from __future__ import annotations

import logging

import flask_migrate
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from hub.extensions import db

logger = logging.getLogger(__name__)


class DatabaseNotCurrent(RuntimeError):
    """The database is not at the latest migration, so the code and the schema disagree."""


SQLITE_BUSY_TIMEOUT_MS = 30_000


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite enforce foreign keys, let SQLAlchemy own its transactions, wait for locks.

    pysqlite opens transactions itself, late, which breaks SAVEPOINTs (nested transactions);
    this is the SQLAlchemy documentation's recipe for handing that job back to SQLAlchemy. The
    web server and the scheduler are two processes writing one file: WAL lets readers go on
    while one writes, and the busy timeout makes a writer wait for the lock instead of failing.
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
        connection.exec_driver_sql("BEGIN")


def database_answers() -> bool:
    """Whether the database answers a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
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
    context = MigrationContext.configure(db.session.connection())
    return frozenset(context.get_current_heads()), heads


def ensure_database_current() -> None:
    """Raise DatabaseNotCurrent unless the database is at the latest revision."""
    current, heads = revisions()
    if current != heads:
        raise DatabaseNotCurrent(
            f"The hub database is at revision {', '.join(sorted(current)) or 'none'} but the "
            f"code needs {', '.join(sorted(heads))}; run `giamngheo hub init-db` first."
        )
