"""The migration that adds the kinds `average` and `low_income` (9a4c2e7b1d35): the check
accepts them after it and refuses them before; the downgrade refuses while one exists and,
once none is left, restores the old check."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa

from node.extensions import db

BEFORE, THIS = "7a4c2e9b1d53", "9a4c2e7b1d35"
INSERT = (
    "INSERT INTO applications (tracking_code, kind, channel, status, period, commune_code,"
    " applicant_name, applicant_citizen_id, applicant_phone, declared_facts, standard_id,"
    " self_assessment, self_classification, submitted_at, updated_at, version)"
    " VALUES (:code, :kind, 'portal', 'submitted', 2026, '00070', 'A', '001085000111',"
    " '0912345678', '{}', 'VN-2022-2025', '{}', 'average', '2026-11-24 03:00:00',"
    " '2026-11-24 03:00:00', 1)"
)


def insert(code: str, kind: str) -> None:
    db.session.execute(sa.text(INSERT), {"code": code, "kind": kind})
    db.session.commit()


def refused(code: str, kind: str) -> bool:
    try:
        insert(code, kind)
    except (sa.exc.IntegrityError, sa.exc.DataError):
        db.session.rollback()
        return True
    return False


def test_the_kinds_come_and_go(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        insert("ENTER0001", "enter")
        assert refused("AVERAGE01", "average")

        flask_migrate.upgrade(revision=THIS)
        db.session.remove()
        insert("AVERAGE01", "average")
        insert("LOWINCOME1", "low_income")
        assert refused("OTHER0001", "other")

        # Flask-Migrate logs the migration's RuntimeError and exits.
        with pytest.raises(SystemExit):
            flask_migrate.downgrade(revision=BEFORE)
        db.session.remove()
        assert db.session.scalar(sa.text("SELECT count(*) FROM applications")) == 3
        db.session.execute(sa.text("DELETE FROM applications WHERE kind <> 'enter'"))
        db.session.commit()
        flask_migrate.downgrade(revision=BEFORE)
        db.session.remove()
        kinds = list(db.session.scalars(sa.text("SELECT kind FROM applications")))
        assert kinds == ["enter"]
        assert refused("AVERAGE02", "average")
        db.session.remove()
        flask_migrate.upgrade()
