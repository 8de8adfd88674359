"""Indexes for the officials' lists: each delivers a list's filter and its newest-first order.

The applications' single-column indexes on commune_code and status, and the audit log's on
user_id, become the leading columns of composites; the audit log's time gets an index of its own.
The indexes are built in the migration's transaction, so writes to the two tables wait while they
build (seconds on a node's tables).

Revision ID: 4dccf81e34ee
Revises: 58109c4c4542
Create Date: 2026-11-28 04:27:16.391990
"""

from alembic import op

revision = "4dccf81e34ee"
down_revision = "58109c4c4542"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_applications_commune_code_status_submitted_at_id",
            ["commune_code", "status", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_applications_commune_code_submitted_at_id",
            ["commune_code", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_applications_status_submitted_at_id", ["status", "submitted_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_applications_submitted_at_id", ["submitted_at", "id"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_applications_commune_code"))
        batch_op.drop_index(batch_op.f("ix_applications_status"))

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_user_id_id", ["user_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.drop_index(batch_op.f("ix_audit_log_user_id"))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_user_id"), ["user_id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index("ix_audit_log_user_id_id")

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_applications_commune_code"), ["commune_code"], unique=False
        )
        batch_op.drop_index("ix_applications_submitted_at_id")
        batch_op.drop_index("ix_applications_status_submitted_at_id")
        batch_op.drop_index("ix_applications_commune_code_submitted_at_id")
        batch_op.drop_index("ix_applications_commune_code_status_submitted_at_id")
