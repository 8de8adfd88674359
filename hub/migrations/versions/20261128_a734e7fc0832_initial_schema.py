"""Initial schema: the registry of provincial nodes.

Revision ID: a734e7fc0832
Revises:
Create Date: 2026-11-28 01:34:20.638898
"""

import sqlalchemy as sa
from alembic import op

revision = "a734e7fc0832"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
        sa.UniqueConstraint("province_code", name=op.f("uq_nodes_province_code")),
    )


def downgrade() -> None:
    op.drop_table("nodes")
