"""Wrong proofs of the applicant's lookups, counted per tracking code and per client address.

Revision ID: 4982e5f07e50
Revises: 7c0e5d2a9b13
Create Date: 2026-12-04 20:51:20.606366
"""

import sqlalchemy as sa
from alembic import op

revision = "4982e5f07e50"
down_revision = "7c0e5d2a9b13"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lookup_attempts",
        sa.Column("scope", sa.String(length=6), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.CheckConstraint("scope IN ('code', 'client')", name=op.f("ck_lookup_attempts_scope")),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_lookup_attempts")),
    )
    with op.batch_alter_table("lookup_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lookup_attempts_window_started_at"), ["window_started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lookup_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lookup_attempts_window_started_at"))
    op.drop_table("lookup_attempts")
