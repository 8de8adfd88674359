"""Household statuses count their low-income workers and members say whether they are one
(Decree 30/2025 amending Decree 07/2021 Art. 3). Backfill: every existing row gets 0 and false.
No stored assessment names low-income workers (the engine computed none before this revision),
and working them out again from the verified facts would run today's engine inside a migration;
a household decided again gets its figures from that decision.

Revision ID: 7a4c2e9b1d53
Revises: 6e4a2c8b1d93
Create Date: 2026-12-05 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "7a4c2e9b1d53"
down_revision = "6e4a2c8b1d93"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops a column itself): a batch copy of
# household_statuses would have to drop a table that status_deprivations' rows point at.
def upgrade() -> None:
    op.add_column(
        "household_statuses",
        sa.Column("low_income_workers", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "household_members",
        sa.Column("low_income_worker", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("household_members", "low_income_worker")
    op.drop_column("household_statuses", "low_income_workers")
