"""The migration that makes the audit chain pseudonymisable (5c1e9a7d3f20): an existing chain
is checked under the old rule, re-sealed under the new one and verifies; downgrading restores
the old hashes exactly; a broken chain stops the upgrade instead of being re-sealed."""

from __future__ import annotations

import hashlib
import json

import flask_migrate
import pytest
import sqlalchemy as sa

from node.extensions import db
from node.services.audit import verify_audit_chain

BEFORE, THIS = "c5a1e2f3d4b6", "5c1e9a7d3f20"
GENESIS = "0" * 64
ENTRIES = [
    ("2026-11-24 03:00:00.000000", "commune_officer", "read", "verified at home", None),
    ("2026-11-24 04:00:00.000000", "system", "apply", None, {"count": 3, "who": "Lò Thị Mai"}),
]


def old_hash(previous: str, at: str, role: str, action: str, why, details) -> str:
    """The hash rule before this revision: the personal fields themselves in the hash."""
    fields = {
        "at": at.replace(" ", "T"),
        "user_id": None,
        "role": role,
        "action": action,
        "object_type": "application",
        "object_id": 1,
        "application_id": 1,
        "household_id": None,
        "why": why,
        "details": details,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest()


def old_chain() -> list[dict]:
    rows, previous = [], GENESIS
    for at, role, action, why, details in ENTRIES:
        digest = old_hash(previous, at, role, action, why, details)
        rows.append(
            {"at": at, "role": role, "action": action, "why": why,
             "details": json.dumps(details) if details is not None else None,
             "previous_hash": previous, "hash": digest}
        )  # fmt: skip
        previous = digest
    return rows


INSERT = sa.text(
    "INSERT INTO audit_log (at, role, action, object_type, object_id, application_id, why, "
    "details, previous_hash, hash) VALUES (:at, :role, :action, 'application', 1, 1, :why, "
    ":details, :previous_hash, :hash)"
)


def hashes() -> list[str]:
    return list(db.session.scalars(sa.text("SELECT hash FROM audit_log ORDER BY id")))


def test_the_chain_is_resealed_and_restored(make_app):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        rows = old_chain()
        db.session.execute(INSERT, rows)
        db.session.commit()

        flask_migrate.upgrade(revision=THIS)
        db.session.remove()
        assert verify_audit_chain(db.session) is None
        assert hashes() != [row["hash"] for row in rows]
        db.session.remove()

        flask_migrate.downgrade(revision=BEFORE)
        assert hashes() == [row["hash"] for row in rows]
        db.session.remove()
        flask_migrate.downgrade(revision="base")


def test_a_broken_chain_stops_the_upgrade(make_app, caplog):
    app = make_app()
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        rows = old_chain()
        rows[1]["details"] = json.dumps({"count": 4, "who": "Lò Thị Mai"})  # edited afterwards
        db.session.execute(INSERT, rows)
        db.session.commit()

        with pytest.raises(SystemExit):
            flask_migrate.upgrade(revision=THIS)
        assert "audit_log entry 2 does not verify" in caplog.text
        db.session.remove()
        assert hashes() == [row["hash"] for row in rows]
