"""The communes' monthly reports of the regular review marked as sent to the province
(Decision 24/2021 Art. 7): one row per commune and month.

Revision ID: 3b9d6e2f8a41
Revises: 8d2f4b6a1c37
Create Date: 2026-12-05 00:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "3b9d6e2f8a41"
down_revision = "8d2f4b6a1c37"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monthly_report_sendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sent_by"], ["users.id"], name=op.f("fk_monthly_report_sendings_sent_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_report_sendings")),
        sa.UniqueConstraint(
            "commune_code", "month", name=op.f("uq_monthly_report_sendings_commune_code_month")
        ),
    )


def downgrade() -> None:
    op.drop_table("monthly_report_sendings")
