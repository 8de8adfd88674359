"""The province's closes of a period (chốt số liệu): decision, date, revision, figures approved.

Revision ID: e0ba0a4e0d25
Revises: 4982e5f07e50
Create Date: 2026-12-04 20:57:56.682200
"""

import sqlalchemy as sa
from alembic import op

revision = "e0ba0a4e0d25"
down_revision = "4982e5f07e50"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "period_closes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("decision_number", sa.String(length=60), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("figures_hash", sa.String(length=64), nullable=False),
        sa.Column("snapshot_id", sa.String(length=64), nullable=False),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_period_closes_revision")),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_period_closes_closed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_closes")),
        sa.UniqueConstraint("period", "revision", name=op.f("uq_period_closes_period_revision")),
    )


def downgrade() -> None:
    op.drop_table("period_closes")
