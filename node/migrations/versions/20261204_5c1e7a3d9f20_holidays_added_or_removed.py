"""The admin's calendar rows say whether they add a day off or remove one (the package's
public holidays are the base); the rows already there were all days off added by hand.

Revision ID: 5c1e7a3d9f20
Revises: a7e3c1d5f902
Create Date: 2026-12-04 23:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5c1e7a3d9f20"
down_revision = "a7e3c1d5f902"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("holidays") as batch:
        batch.add_column(
            sa.Column("change", sa.String(length=10), server_default="added", nullable=False)
        )
        batch.create_check_constraint("change", "change IN ('added', 'removed')")


def downgrade() -> None:
    # The removals have no meaning without the package's days: they go, the additions stay.
    op.execute("DELETE FROM holidays WHERE change = 'removed'")
    with op.batch_alter_table("holidays") as batch:
        batch.drop_constraint(op.f("ck_holidays_change"), type_="check")
        batch.drop_column("change")
