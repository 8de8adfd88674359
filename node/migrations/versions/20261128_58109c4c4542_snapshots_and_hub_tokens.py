"""Aggregate snapshots for the hub, communes' household counts, the hub's tokens.

Revision ID: 58109c4c4542
Revises: 3b49fdfdc3fc
Create Date: 2026-11-28 02:09:11.795196
"""

import sqlalchemy as sa
from alembic import op

revision = "58109c4c4542"
down_revision = "3b49fdfdc3fc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commune_household_counts",
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("commune_code", "period", name=op.f("pk_commune_household_counts")),
    )
    op.create_table(
        "hub_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_hub_tokens_token_hash")),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.String(length=64), nullable=False),
        sa.Column("standard_id", sa.String(length=40), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
    )
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_snapshots_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_snapshots_snapshot_id"), ["snapshot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshots_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_snapshots_period"))

    op.drop_table("snapshots")
    op.drop_table("hub_tokens")
    op.drop_table("commune_household_counts")
