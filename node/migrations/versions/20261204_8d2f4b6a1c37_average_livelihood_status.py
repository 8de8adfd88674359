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


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops a column itself): a batch copy of
# household_statuses would have to drop a table that status_deprivations' rows point at.
def upgrade() -> None:
    op.add_column(
        "household_statuses",
        sa.Column("average_livelihood", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("household_statuses", "average_livelihood")
