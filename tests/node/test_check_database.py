"""`giamngheo node check-database`: what the restore drill asks of a restored copy."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from node.cli import cli
from node.extensions import db
from node.models import AuditEntry
from node.services import audit
from shared.web.database import upgrade_database

MOMENT = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def check(url: str) -> tuple[int, str]:
    env = {"GIAMNGHEO_ENV": "testing", "GIAMNGHEO_PROVINCE": "01"}
    result = CliRunner().invoke(cli, ["check-database", "--database-url", url], env=env)
    return result.exit_code, result.output


def test_a_sound_copy_passes_and_a_broken_chain_fails(make_app):
    app = make_app()
    with app.app_context():
        upgrade_database()
        for action in ("read_application", "list_applications"):
            audit.record(db.session, None, action, "application", 1, MOMENT)
        db.session.commit()
        url = db.engine.url.render_as_string(hide_password=False)

        sound = check(url)
        db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).first().action = "x"
        db.session.commit()
        broken = check(url)

    assert sound[0] == 0, sound[1]
    assert "audit_entries=2 audit_chain=ok" in sound[1]
    assert broken[0] == 1
    assert "hash chain breaks at entry 1" in broken[1]


def test_a_copy_behind_the_code_fails(make_app):
    app = make_app()
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    code, output = check(url)

    assert code == 1
    assert "revision=none" in output
