"""The hub database: migrations through `giamngheo hub init-db`, the refusal to serve a
database that is behind, the node registry's constraints, and the tests' own rollback."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from hub.cli import cli
from hub.extensions import db
from hub.models import Node, Snapshot
from shared.web.database import revisions


def make_node(**changes):
    return Node(
        **{
            "province_code": "01",
            "url": "https://giamngheo.hanoi.example/",
            "token_encrypted": "token",
            "public_key": "key",
            **changes,
        }
    )


def test_init_db_creates_the_schema_and_can_run_again(make_app):
    app = make_app()
    runner = app.test_cli_runner()

    first = runner.invoke(cli, ["init-db"])
    second = runner.invoke(cli, ["init-db"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    with app.app_context():
        current, heads = revisions()
        assert current == heads
        assert set(sa.inspect(db.engine).get_table_names()) == {
            "alembic_version",
            "apscheduler_jobs",
            "nodes",
            "pull_attempts",
            "snapshot_deprivations",
            "period_due_dates",
            "snapshot_rows",
            "snapshots",
            "user_sessions",
            "users",
        }


def test_the_migrations_go_down_to_nothing_and_up_again(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
        flask_migrate.upgrade()
        current, heads = revisions()
        assert current == heads


def test_one_current_snapshot_per_province_and_period(db_session):
    def snapshot(snapshot_id):
        moment = datetime.now(UTC)
        return Snapshot(
            province_code="01",
            period=2026,
            snapshot_id=snapshot_id,
            standard_id="VN-2022-2025",
            generated_at=moment,
            received_at=moment,
            confirmed_at=moment,
            is_current=True,
            body={},
        )

    db_session.add(snapshot("a" * 64))
    db_session.flush()
    db_session.add(snapshot("b" * 64))

    with pytest.raises(sa.exc.IntegrityError, match=r"uq_snapshots_current|UNIQUE"):
        db_session.flush()
    db_session.rollback()


def test_run_refuses_a_database_behind_the_latest_migration(make_app):
    app = make_app()
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    with app.app_context():
        flask_migrate.downgrade(revision="base")

    result = runner.invoke(cli, ["run", "--port", "1"])

    assert result.exit_code == 1
    assert "giamngheo hub init-db" in result.output


def test_wsgi_entry_point_refuses_a_database_behind(tmp_path):
    environ = {
        **os.environ,
        "GIAMNGHEO_ENV": "development",
        "GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
    }

    result = subprocess.run(
        [sys.executable, "-c", "import hub.wsgi"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "DatabaseNotCurrent" in result.stderr


def test_a_province_is_registered_once(db_session):
    db_session.add(make_node())
    db_session.commit()
    db_session.add(make_node(url="https://elsewhere.example/"))

    with pytest.raises(sa.exc.IntegrityError, match=r"uq_nodes_province_code|UNIQUE"):
        db_session.flush()
    db_session.rollback()

    assert db_session.scalars(sa.select(Node.url)).all() == ["https://giamngheo.hanoi.example/"]


def test_registered_node_gets_a_creation_time(db_session):
    node = make_node()
    db_session.add(node)
    db_session.flush()
    db_session.refresh(node)

    assert node.created_at is not None


def test_a_commit_in_a_test_is_rolled_back_afterwards(db_session, db_url):
    db_session.add(make_node())
    db_session.commit()

    engine = sa.create_engine(db_url, poolclass=sa.NullPool)
    with engine.connect() as other:
        assert other.execute(sa.text("SELECT count(*) FROM nodes")).scalar_one() == 0
    engine.dispose()
