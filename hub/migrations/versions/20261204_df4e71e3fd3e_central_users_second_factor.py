"""Central users' second factor (TOTP), as officials have it.

The confirmed secret, the one waiting for its first code, and the last accepted time step (a
code is good once).

Revision ID: df4e71e3fd3e
Revises: 9bfc6380233c
Create Date: 2026-12-04 19:30:19.610381
"""

import sqlalchemy as sa
from alembic import op

revision = "df4e71e3fd3e"
down_revision = "9bfc6380233c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_pending_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_pending_secret")
        batch_op.drop_column("totp_secret")
