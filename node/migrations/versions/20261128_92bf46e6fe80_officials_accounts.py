"""Officials' accounts: users, the units they work in, and their sessions and API tokens.

Revision ID: 92bf46e6fe80
Revises: 1942fc61bb8e
Create Date: 2026-11-28 01:52:08.538460
"""

import sqlalchemy as sa
from alembic import op

revision = "92bf46e6fe80"
down_revision = "1942fc61bb8e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_pending_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("failed_login_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('village_head', 'commune_officer', 'commune_chair', 'province_officer', "
            "'province_admin')",
            name=op.f("ck_users_role"),
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('web', 'api')", name=op.f("ck_user_sessions_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_units_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_units")),
        sa.UniqueConstraint("user_id", "unit_code", name=op.f("uq_user_units_user_id_unit_code")),
    )
    with op.batch_alter_table("user_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_units_unit_code"), ["unit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_units_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_units_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_units_unit_code"))

    op.drop_table("user_units")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")
    op.drop_table("users")
