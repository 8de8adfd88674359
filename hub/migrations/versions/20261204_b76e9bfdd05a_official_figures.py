"""Official figures and what schema v2 adds: the province's approval on a snapshot, the signed
bytes for open data, activity and projection per commune, the deprivations' kind, due dates.

Revision ID: b76e9bfdd05a
Revises: df4e71e3fd3e
Create Date: 2026-12-04 21:02:27.227061
"""

import sqlalchemy as sa
from alembic import op

revision = "b76e9bfdd05a"
down_revision = "df4e71e3fd3e"
branch_labels = None
depends_on = None

ROW_COUNTS = (
    "applications_received",
    "verified",
    "verified_class_changed",
    "meeting_votes",
    "meeting_votes_unanimous",
    "applications_overdue",
    "projected_households",
    "projected_poor",
    "projected_near_poor",
    "projected_current_poor",
    "projected_current_near_poor",
)

SNAPSHOT_COLUMNS = (
    "public_key",
    "signature",
    "signed_body",
    "projected_standard_id",
    "decided_on",
    "decision_number",
    "official_revision",
    "schema_version",
)


def upgrade() -> None:
    op.create_table(
        "period_due_dates",
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_period_due_dates_set_by_users")
        ),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_period_due_dates")),
    )
    with op.batch_alter_table("snapshot_deprivations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="current", nullable=False)
        )
        batch_op.drop_constraint(
            batch_op.f("uq_snapshot_deprivations_snapshot_pk_commune_code_indicator"),
            type_="unique",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_snapshot_deprivations_kind"),
            ["snapshot_pk", "commune_code", "indicator", "kind"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_snapshot_deprivations_kind"),
            "kind IN ('current', 'projected', 'baseline')",
        )
    with op.batch_alter_table("snapshot_rows", schema=None) as batch_op:
        for name in ROW_COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("schema_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("official_revision", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decision_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("projected_standard_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("signed_body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("public_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        for name in SNAPSHOT_COLUMNS:
            batch_op.drop_column(name)
    with op.batch_alter_table("snapshot_rows", schema=None) as batch_op:
        for name in reversed(ROW_COUNTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("snapshot_deprivations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_snapshot_deprivations_kind"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_snapshot_deprivations_kind"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_snapshot_deprivations_snapshot_pk_commune_code_indicator"),
            ["snapshot_pk", "commune_code", "indicator"],
        )
        batch_op.drop_column("kind")
    op.drop_table("period_due_dates")
