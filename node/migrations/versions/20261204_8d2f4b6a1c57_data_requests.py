"""Residents' requests about their personal data (issue 18): correction, consent withdrawal,
deletion, restriction — on the commune's worklist with a deadline, answered by an official.

Revision ID: 8d2f4b6a1c57
Revises: 5c1e9a7d3f20
Create Date: 2026-12-04 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "8d2f4b6a1c57"
down_revision = "5c1e9a7d3f20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("proof", sa.String(length=10), nullable=False),
        sa.Column("what_is_wrong", sa.Text(), nullable=True),
        sa.Column("should_be", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("handling", sa.String(length=20), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('correction', 'consent_withdrawal', 'deletion', 'restriction')",
            name=op.f("ck_data_requests_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'refused')", name=op.f("ck_data_requests_status")
        ),
        sa.CheckConstraint("proof IN ('phone', 'citizen_id')", name=op.f("ck_data_requests_proof")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_data_requests_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_data_requests_answered_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_requests_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_data_requests_commune_code"), ["commune_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_requests_commune_code"))
        batch_op.drop_index(batch_op.f("ix_data_requests_application_id"))
    op.drop_table("data_requests")
