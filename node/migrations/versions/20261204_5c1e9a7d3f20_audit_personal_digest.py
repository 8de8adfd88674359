"""Retention (issue 18): ``applications.anonymised_at``, and the audit log's hash covers a
digest of each entry's personal fields, not the fields, so that retention can pseudonymise old
entries and the chain still verifies.

Upgrade: ``personal_digest`` (SHA-256 of ``why`` and ``details``) and ``pseudonymised_at``
added; the existing chain is checked under the old rule first — a broken chain stops the
upgrade rather than being re-sealed — then every entry is re-hashed under the new rule, in
order. Downgrade re-hashes under the old rule (refused once an entry has been pseudonymised:
its fields are gone and the old rule needs them).

Revision ID: 5c1e9a7d3f20
Revises: c5a1e2f3d4b6
Create Date: 2026-12-04 23:10:00
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "5c1e9a7d3f20"
down_revision = "c5a1e2f3d4b6"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
BATCH = 1000
AUDIT = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("application_id", sa.Integer),
    sa.column("household_id", sa.Integer),
    sa.column("why", sa.String),
    sa.column("details", sa.JSON),
    sa.column("personal_digest", sa.String),
    sa.column("pseudonymised_at", sa.DateTime(timezone=True)),
    sa.column("previous_hash", sa.String),
    sa.column("hash", sa.String),
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _plain(row) -> dict:
    at = row.at.astimezone(UTC).replace(tzinfo=None) if row.at.tzinfo else row.at
    return {
        "at": at.isoformat(timespec="microseconds"),
        "user_id": row.user_id,
        "role": row.role,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "application_id": row.application_id,
        "household_id": row.household_id,
    }


def _old_hash(previous: str, row) -> str:
    return _sha(previous + _canonical({**_plain(row), "why": row.why, "details": row.details}))


def _personal(row) -> str:
    return _sha(_canonical({"why": row.why, "details": row.details}))


def _new_hash(previous: str, row, digest: str) -> str:
    return _sha(previous + _canonical({**_plain(row), "personal": digest}))


def _rows(connection):
    last = 0
    while True:
        rows = connection.execute(
            sa.select(AUDIT).where(AUDIT.c.id > last).order_by(AUDIT.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _rehash(connection, check, seal) -> None:
    """Walk the chain in order: check each entry under the rule it has, write its new hash."""
    checked_previous = GENESIS
    new_previous = GENESIS
    for row in list(_rows(connection)):
        if row.previous_hash != checked_previous or not check(checked_previous, row):
            raise RuntimeError(
                f"audit_log entry {row.id} does not verify: the chain is broken, so it is not "
                "re-sealed; investigate before migrating"
            )
        checked_previous = row.hash
        values = seal(new_previous, row)
        connection.execute(sa.update(AUDIT).where(AUDIT.c.id == row.id).values(**values))
        new_previous = values["hash"]


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("pseudonymised_at", sa.DateTime(timezone=True), nullable=True)
        )
    # The unique hashes are rewritten one by one: a temporary clash is impossible (SHA-256).
    _rehash(
        op.get_bind(),
        check=lambda previous, row: row.hash == _old_hash(previous, row),
        seal=lambda previous, row: {
            "personal_digest": _personal(row),
            "previous_hash": previous,
            "hash": _new_hash(previous, row, _personal(row)),
        },
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("personal_digest", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    connection = op.get_bind()
    pseudonymised = connection.scalar(
        sa.select(sa.func.count()).where(AUDIT.c.pseudonymised_at.is_not(None))
    )
    if pseudonymised:
        raise RuntimeError(
            f"{pseudonymised} audit_log entries are pseudonymised: the old hash rule needs "
            "their personal fields, which are gone; this revision cannot be undone"
        )
    _rehash(
        connection,
        check=lambda previous, row: (
            row.personal_digest == _personal(row)
            and row.hash == _new_hash(previous, row, row.personal_digest)
        ),
        seal=lambda previous, row: {
            "previous_hash": previous,
            "hash": _old_hash(previous, row),
        },
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("pseudonymised_at")
        batch_op.drop_column("personal_digest")
    # Not a batch: SQLite (3.35 on) drops a column in place, where a batch would copy the
    # applications table and trip the foreign keys of the tables that point at it.
    op.drop_column("applications", "anonymised_at")
