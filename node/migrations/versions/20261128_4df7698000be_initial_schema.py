"""Initial schema: node-wide settings.

Revision ID: 4df7698000be
Revises:
Create Date: 2026-11-28 01:33:30.345768
"""

import sqlalchemy as sa
from alembic import op

revision = "4df7698000be"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "node_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_node_settings")),
    )


def downgrade() -> None:
    op.drop_table("node_settings")
