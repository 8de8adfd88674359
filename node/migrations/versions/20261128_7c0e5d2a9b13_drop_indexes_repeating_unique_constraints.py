"""Drop single-column indexes that repeat the leading column of a unique constraint.

Each of these foreign-key columns is already the first column of a unique constraint's index,
which serves every lookup by it (and the foreign key's checks); the extra index only cost every
insert — the bulk import writes a million statuses and their deprivations at a time.

Revision ID: 7c0e5d2a9b13
Revises: 4dccf81e34ee
Create Date: 2026-11-28 05:20:00.000000
"""

from alembic import op

revision = "7c0e5d2a9b13"
down_revision = "4dccf81e34ee"
branch_labels = None
depends_on = None

# (table, column) whose index ix_<table>_<column> goes.
REPEATED = (
    ("household_statuses", "household_id"),
    ("status_deprivations", "status_id"),
    ("meeting_votes", "meeting_id"),
    ("posting_items", "posting_id"),
    ("user_units", "user_id"),
)


def upgrade() -> None:
    for table, column in REPEATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))


def downgrade() -> None:
    for table, column in reversed(REPEATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
