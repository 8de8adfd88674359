"""The node database: migrations through `giamngheo node init-db`, the refusal to serve a
database that is behind, and the tests' own rollback."""

import os
import subprocess
import sys

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from node.cli import cli
from node.extensions import db
from node.models import NodeSetting
from shared.web.database import revisions


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
        assert "node_settings" in sa.inspect(db.engine).get_table_names()
    assert f"revision {next(iter(heads))}" in second.output


def test_run_refuses_a_database_behind_the_latest_migration(make_app):
    app = make_app()
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    with app.app_context():
        flask_migrate.downgrade(revision="base")

    result = runner.invoke(cli, ["run", "--port", "1"])

    assert result.exit_code == 1
    assert "giamngheo node init-db" in result.output


def test_run_refuses_an_empty_database(make_app):
    result = make_app().test_cli_runner().invoke(cli, ["run", "--port", "1"])

    assert result.exit_code == 1
    assert "revision none" in result.output


def test_wsgi_entry_point_refuses_a_database_behind(tmp_path):
    environ = {
        **os.environ,
        "GIAMNGHEO_ENV": "development",
        "GIAMNGHEO_PROVINCE": "01",
        "GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp_path / 'node.db'}",
    }

    result = subprocess.run(
        [sys.executable, "-c", "import node.wsgi"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "DatabaseNotCurrent" in result.stderr


def test_constraints_follow_the_naming_convention(app):
    with app.app_context():
        inspector = sa.inspect(db.session.connection())
        assert inspector.get_pk_constraint("node_settings")["name"] == "pk_node_settings"


def test_the_migrations_build_what_the_models_declare(db_session):
    # A column, constraint or index changed in node/models without its migration shows here.
    context = MigrationContext.configure(db_session.connection())

    assert compare_metadata(context, db.metadata) == []


def test_a_commit_in_a_test_is_rolled_back_afterwards(db_session, db_url):
    db_session.add(NodeSetting(key="standard", value="VN-2022-2025"))
    db_session.commit()
    assert db_session.get(NodeSetting, "standard").value == "VN-2022-2025"

    # Another connection sees nothing: the commit only released a SAVEPOINT inside the
    # test's transaction, which the fixture rolls back.
    engine = sa.create_engine(db_url, poolclass=sa.NullPool)
    with engine.connect() as other:
        assert other.execute(sa.text("SELECT count(*) FROM node_settings")).scalar_one() == 0
    engine.dispose()


def test_a_rollback_in_a_test_keeps_what_the_test_committed_before(db_session):
    db_session.add(NodeSetting(key="standard", value="VN-2022-2025"))
    db_session.commit()
    db_session.add(NodeSetting(key="standard", value="duplicate"))

    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()
    db_session.rollback()

    # Only the failed work's SAVEPOINT was rolled back, not the test's transaction.
    assert db_session.get(NodeSetting, "standard").value == "VN-2022-2025"
