"""Databases for the schemathesis modules, which build their app when imported (before any
fixture): a SQLite file always, and a PostgreSQL database when GIAMNGHEO_TEST_DATABASE_URL names
a server, dropped when the run ends."""

from __future__ import annotations

import atexit
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL


def sqlite_url(prefix: str) -> str:
    """A new SQLite file in a temporary folder."""
    directory = Path(tempfile.mkdtemp(prefix=f"giamngheo-{prefix}-"))
    return f"sqlite:///{directory / 'fuzz.db'}"


def postgres_url(prefix: str) -> str | None:
    """A new database on the PostgreSQL server under test (None without one)."""
    if not POSTGRES_URL:
        return None
    name = f"giamngheo_{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        # FORCE ends the app's own connections, still open in its pool.
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    atexit.register(drop)
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
