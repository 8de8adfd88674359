"""The nightly backup's restore check (ansible/roles/postgresql/templates/backup.sh.j2), rendered
and run against the test PostgreSQL server: a good dump passes, a damaged one fails loudly.

Needs no deployment, only GIAMNGHEO_TEST_DATABASE_URL and PostgreSQL's client programs; each test
makes its own small database and the script's scratch copy, and drops both.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL
from tests.deploy.local import ANSIBLE_DIR

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs GIAMNGHEO_TEST_DATABASE_URL"),
]

TEMPLATE = ANSIBLE_DIR / "roles" / "postgresql" / "templates" / "backup.sh.j2"
CLIENT_PROGRAMS = ("pg_dump", "pg_restore", "psql", "createdb", "dropdb", "flock")
REVISION = "20261128_test"
APPLICATIONS = 3


@dataclass
class Backup:
    """A rendered backup script for one scratch database, and how to run it."""

    database: str
    script: Path
    backup_dir: Path
    environment: dict[str, str]

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(self.script)],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def status(self) -> dict[str, str]:
        """restore-check.status, the file monitoring reads."""
        text = (self.backup_dir / "restore-check.status").read_text()
        return dict(line.split("=", 1) for line in text.splitlines())


def render(path: Path, **variables: object) -> None:
    """The template as Ansible's template module renders it (trim_blocks, its quote filter)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["quote"] = lambda value: shlex.quote(str(value))
    path.write_text(environment.get_template(TEMPLATE.name).render(**variables))


def database_exists(admin: sa.Engine, name: str) -> bool:
    with admin.connect() as connection:
        return bool(
            connection.scalar(
                sa.text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            )
        )


@pytest.fixture
def admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def backup(admin: sa.Engine, tmp_path: Path) -> Iterator[Backup]:
    """A small database like the app's (a revision, a few rows) and its backup script."""
    if missing := [name for name in CLIENT_PROGRAMS if shutil.which(name) is None]:
        pytest.skip(f"PostgreSQL's client programs are missing: {', '.join(missing)}")
    database = f"giamngheo_test_{uuid.uuid4().hex[:12]}_backup"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    url = make_url(POSTGRES_URL).set(database=database)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)"
        )
        connection.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{REVISION}')")
        connection.exec_driver_sql("CREATE TABLE applications (id serial PRIMARY KEY, note text)")
        connection.exec_driver_sql(
            "INSERT INTO applications (note) "
            f"SELECT repeat(md5(n::text), 20) FROM generate_series(1, {APPLICATIONS}) AS n"
        )
        # Enough data that half the dump ends inside it.
        connection.exec_driver_sql(
            "CREATE TABLE households AS "
            "SELECT n AS id, md5(n::text) AS name FROM generate_series(1, 5000) AS n"
        )
    engine.dispose()

    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    script = tmp_path / "backup.sh"
    render(
        script,
        ansible_managed="rendered by tests/deploy/test_backup_script.py",
        postgresql_app_database=database,
        postgresql_backup_dir=str(backup_dir),
        postgresql_backup_keep_days=14,
        postgresql_backup_check_tables=["applications", "households"],
        postgresql_admin_user="postgres",
    )
    # The script logs in as the OS user over the socket in production; here the libpq
    # variables point it at the test server.
    environment = {
        **os.environ,
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
    }
    if url.password:
        environment["PGPASSWORD"] = url.password
    try:
        yield Backup(database, script, backup_dir, environment)
    finally:
        with admin.connect() as connection:
            for name in (database, f"{database}_restore_check"):
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def old_dump(backup: Backup, days: int) -> Path:
    """A dump file dated ``days`` ago, as an earlier night left it."""
    moment = time.time() - days * 24 * 3600
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(moment))
    path = backup.backup_dir / f"{backup.database}-{stamp}.dump"
    path.write_bytes(b"an earlier night's dump")
    os.utime(path, (moment, moment))
    return path


def damage_dumps(backup: Backup, tmp_path: Path) -> None:
    """Put a pg_dump first on PATH that cuts its dump to half: a dump damaged on its way to disk."""
    real = shutil.which("pg_dump")
    wrapper = tmp_path / "bin" / "pg_dump"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/bash\n"
        "set -euo pipefail\n"
        f'{shlex.quote(real)} "$@"\n'
        "for argument; do case $argument in --file=*) file=${argument#--file=} ;; esac; done\n"
        'truncate --size=$(( $(stat -c %s "$file") / 2 )) "$file"\n'
    )
    wrapper.chmod(0o755)
    backup.environment["PATH"] = f"{wrapper.parent}:{backup.environment['PATH']}"


def test_a_good_dump_restores_and_the_check_passes(backup, admin):
    expired, kept = old_dump(backup, days=15), old_dump(backup, days=13)

    result = backup.run()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "restore check ok" in result.stdout
    status = backup.status()
    assert status["result"] == "ok"
    assert status["revision"] == REVISION
    assert status["rows_applications"] == str(APPLICATIONS)
    assert status["rows_households"] == "5000"
    dump = Path(status["dump"])
    assert dump.parent == backup.backup_dir
    assert int(status["dump_bytes"]) == dump.stat().st_size > 0
    assert not database_exists(admin, f"{backup.database}_restore_check")
    # Dumps older than keep_days (14) go once the new one has proved itself.
    assert not expired.exists()
    assert kept.exists()


def test_a_truncated_dump_fails_the_check(backup, admin, tmp_path):
    earlier = old_dump(backup, days=15)
    damage_dumps(backup, tmp_path)

    result = backup.run()

    assert result.returncode != 0
    assert "restore check ok" not in result.stdout
    assert "FAILED" in result.stdout
    status = backup.status()
    assert status["result"] == "failed"
    assert "pg_restore" in status["error"]
    assert Path(status["dump"]).parent == backup.backup_dir
    assert not database_exists(admin, f"{backup.database}_restore_check")
    # The last dump known to restore stays, however old.
    assert earlier.exists()


def test_a_copy_without_its_revision_fails_the_check(backup, admin):
    url = make_url(POSTGRES_URL).set(database=backup.database)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM alembic_version")
    engine.dispose()

    result = backup.run()

    assert result.returncode != 0
    status = backup.status()
    assert status["result"] == "failed"
    assert status["error"] == "alembic_version holds 0 rows in the restored copy, not 1"
    assert not database_exists(admin, f"{backup.database}_restore_check")
