"""Applications of two more kinds: the request to identify a farming, forestry, fishery or salt
household with an average living standard (Decision 24/2021 Art. 3 cl. 2, Art. 6) and that of
low-income workers (Decree 30/2025): `applications.kind` widens to 10 characters and its check
accepts `average` and `low_income`.

SQLite cannot alter a check, and a batch copy of `applications` would have to drop a table that
every step of the review points at: the check's text is rewritten in the schema instead, the way
SQLite's documentation gives for loosening a constraint (every row that met the old check meets
the new one; SQLite does not enforce a VARCHAR's length). The downgrade refuses while an
application of the new kinds exists.

Revision ID: 9a4c2e7b1d35
Revises: 7a4c2e9b1d53
Create Date: 2026-12-05 22:10:00.000000
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "9a4c2e7b1d35"
down_revision = "7a4c2e9b1d53"
branch_labels = None
depends_on = None

CHECK = "ck_applications_kind"
OLD = "kind IN ('enter', 'exit')"
NEW = "kind IN ('enter', 'exit', 'average', 'low_income')"


def upgrade() -> None:
    _replace_check(OLD, NEW, 10)


def downgrade() -> None:
    left = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM applications WHERE kind IN ('average', 'low_income')")
    )
    if left:
        raise RuntimeError(
            f"{left} applications are of the kinds 'average' or 'low_income': "
            "the schema before them cannot hold them"
        )
    _replace_check(NEW, OLD, 5)


def _replace_check(old: str, new: str, length: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(CHECK), "applications", type_="check")
        op.alter_column(
            "applications", "kind", type_=sa.String(length=length), existing_nullable=False
        )
        op.create_check_constraint(op.f(CHECK), "applications", new)
        return
    schema = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'applications'"
    ).scalar_one()
    column = re.compile(r"\bkind VARCHAR\(\d+\)")
    if old not in schema or not column.search(schema):
        raise RuntimeError(f"applications' schema has no check {old!r}")
    schema = column.sub(f"kind VARCHAR({length})", schema.replace(old, new), count=1)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'applications'"
        ),
        {"sql": schema},
    )
    # A new schema version makes every connection read the schema again.
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
