"""Pulls, snapshots and central users.

The node registry's schedule and status, every pull attempt, the stored snapshots with their
per-commune rows, central users and their sessions, and APScheduler's job store.

Revision ID: 9bfc6380233c
Revises: a734e7fc0832
Create Date: 2026-11-28 02:10:29.589263
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "9bfc6380233c"
down_revision = "a734e7fc0832"
branch_labels = None
depends_on = None

COUNT_COLUMNS = (
    "households_total",
    "poor",
    "near_poor",
    "average",
    "not_poor",
    "poor_rural",
    "poor_urban",
    "near_poor_rural",
    "near_poor_urban",
    "new_poor",
    "new_near_poor",
    "exited_poor",
    "exited_near_poor",
    "fell_back",
    "ethnic_minority_poor",
    "ethnic_minority_near_poor",
    "members_poor",
    "members_near_poor",
    "applications_pending",
)


def _timestamp(name: str, *, nullable: bool = False, now: bool = False) -> sa.Column:
    default = sa.func.now() if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def upgrade() -> None:
    # A token stored before this revision was in clear text: it no longer decrypts, and the
    # pull says to register the node again (no node was registered in production before).
    with op.batch_alter_table("nodes") as batch_op:
        batch_op.alter_column(
            "token",
            new_column_name="token_encrypted",
            existing_type=sa.String(length=200),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "public_key", existing_type=sa.Text(), type_=sa.String(length=64), nullable=False
        )
        batch_op.add_column(
            sa.Column("interval_seconds", sa.Integer(), server_default="3600", nullable=False)
        )
        batch_op.add_column(
            sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(_timestamp("updated_at", now=True))
        batch_op.add_column(_timestamp("last_attempt_at", nullable=True))
        batch_op.add_column(_timestamp("last_success_at", nullable=True))
        batch_op.add_column(sa.Column("last_outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("last_http_status", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("last_snapshot_id", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint("interval_seconds", "interval_seconds >= 60")

    op.create_table(
        "pull_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("period", sa.Integer(), nullable=True),
        _timestamp("started_at"),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("bytes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("snapshot_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('ok', 'not_modified', 'error')", name=op.f("ck_pull_attempts_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_pull_attempts_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pull_attempts")),
    )
    op.create_index(
        "ix_pull_attempts_node_id_started_at", "pull_attempts", ["node_id", "started_at"]
    )

    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.String(length=64), nullable=False),
        sa.Column("standard_id", sa.String(length=40), nullable=False),
        _timestamp("generated_at"),
        _timestamp("received_at"),
        _timestamp("confirmed_at"),
        sa.Column("is_current", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("suppression_k", sa.Integer(), nullable=True),
        sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint(
            "province_code",
            "period",
            "snapshot_id",
            name=op.f("uq_snapshots_province_code_period_snapshot_id"),
        ),
    )
    op.create_index("ix_snapshots_period_is_current", "snapshots", ["period", "is_current"])
    op.create_index(
        "uq_snapshots_current",
        "snapshots",
        ["province_code", "period"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )

    op.create_table(
        "snapshot_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_pk", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in COUNT_COLUMNS),
        sa.ForeignKeyConstraint(
            ["snapshot_pk"],
            ["snapshots.id"],
            name=op.f("fk_snapshot_rows_snapshot_pk_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_rows")),
        sa.UniqueConstraint(
            "snapshot_pk", "commune_code", name=op.f("uq_snapshot_rows_snapshot_pk_commune_code")
        ),
    )

    op.create_table(
        "snapshot_deprivations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_pk", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_pk"],
            ["snapshots.id"],
            name=op.f("fk_snapshot_deprivations_snapshot_pk_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_deprivations")),
        sa.UniqueConstraint(
            "snapshot_pk",
            "commune_code",
            "indicator",
            name=op.f("uq_snapshot_deprivations_snapshot_pk_commune_code_indicator"),
        ),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_login_count", sa.Integer(), server_default="0", nullable=False),
        _timestamp("locked_until", nullable=True),
        _timestamp("created_at", now=True),
        _timestamp("password_changed_at"),
        _timestamp("last_login_at", nullable=True),
        sa.CheckConstraint(
            "role IN ('central_viewer', 'central_admin')", name=op.f("ck_users_role")
        ),
        sa.CheckConstraint("username = lower(username)", name=op.f("ck_users_username_lower_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        _timestamp("created_at"),
        _timestamp("last_seen_at"),
        _timestamp("expires_at"),
        _timestamp("revoked_at", nullable=True),
        sa.CheckConstraint("kind IN ('web', 'api')", name=op.f("ck_user_sessions_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])

    # APScheduler 3's SQLAlchemyJobStore table, as the job store would create it; made here so
    # the schema has one owner, the migrations (the scheduler finds it and creates nothing).
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(
        op.f("ix_apscheduler_jobs_next_run_time"), "apscheduler_jobs", ["next_run_time"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_apscheduler_jobs_next_run_time"), table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_table("users")
    op.drop_table("snapshot_deprivations")
    op.drop_table("snapshot_rows")
    op.drop_index("uq_snapshots_current", table_name="snapshots")
    op.drop_index("ix_snapshots_period_is_current", table_name="snapshots")
    op.drop_table("snapshots")
    op.drop_index("ix_pull_attempts_node_id_started_at", table_name="pull_attempts")
    op.drop_table("pull_attempts")
    with op.batch_alter_table("nodes") as batch_op:
        batch_op.drop_constraint("interval_seconds", type_="check")
        for column in (
            "last_snapshot_id",
            "last_error",
            "last_http_status",
            "last_outcome",
            "last_success_at",
            "last_attempt_at",
            "updated_at",
            "enabled",
            "interval_seconds",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column(
            "public_key", existing_type=sa.String(length=64), type_=sa.Text(), nullable=False
        )
        batch_op.alter_column(
            "token_encrypted",
            new_column_name="token",
            existing_type=sa.Text(),
            type_=sa.String(length=200),
            existing_nullable=False,
        )
