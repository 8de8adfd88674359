"""Household statuses say whether the household is on the list of farming, forestry, fishery
and salt households with an average living standard (Decision 24/2021 Art. 3). No earlier fact
could name the main livelihood (the engine refused it as unknown), so every row there is false.

Revision ID: 8d2f4b6a1c37
Revises: 5c1e7a3d9f20
Create Date: 2026-12-04 23:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "8d2f4b6a1c37"
down_revision = "5c1e7a3d9f20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("household_statuses") as batch:
        batch.add_column(
            sa.Column("average_livelihood", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("household_statuses") as batch:
        batch.drop_column("average_livelihood")
