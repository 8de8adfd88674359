"""The communes' annual reports of the periodic review marked as sent to the province: one row
per commune and period.

Revision ID: 6e4a2c8b1d93
Revises: 3b9d6e2f8a41
Create Date: 2026-12-05 22:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "6e4a2c8b1d93"
down_revision = "3b9d6e2f8a41"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annual_report_sendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sent_by"], ["users.id"], name=op.f("fk_annual_report_sendings_sent_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_report_sendings")),
        sa.UniqueConstraint(
            "commune_code", "period", name=op.f("uq_annual_report_sendings_commune_code_period")
        ),
    )


def downgrade() -> None:
    op.drop_table("annual_report_sendings")
