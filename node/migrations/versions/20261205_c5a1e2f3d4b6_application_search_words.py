"""The folded words of the names on each application, for the officials' search (issue 15),
backfilled from the applicants' names and the members each latest verification recorded; and
the date a paper application bears (applications.paper_dated_on).

Revision ID: c5a1e2f3d4b6
Revises: 5f1e1d0a7c21
Create Date: 2026-12-04 23:10:00
"""

import sqlalchemy as sa
from alembic import op

from node.services.identity import name_words

revision = "c5a1e2f3d4b6"
down_revision = "5f1e1d0a7c21"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "application_search_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_search_words_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_search_words")),
        sa.UniqueConstraint(
            "word", "application_id", name=op.f("uq_application_search_words_word_application_id")
        ),
    )
    with op.batch_alter_table("application_search_words", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_search_words_application_id"),
            ["application_id"],
            unique=False,
        )
    _backfill(op.get_bind())
    op.add_column("applications", sa.Column("paper_dated_on", sa.Date(), nullable=True))


def _backfill(connection: sa.Connection) -> None:
    """The words of every application's names, a batch of applications at a time."""
    applications = sa.table(
        "applications", sa.column("id", sa.Integer), sa.column("applicant_name", sa.String)
    )
    verifications = sa.table(
        "verifications",
        sa.column("id", sa.Integer),
        sa.column("application_id", sa.Integer),
        sa.column("identities", sa.JSON),
    )
    words = sa.table(
        "application_search_words",
        sa.column("application_id", sa.Integer),
        sa.column("word", sa.String),
    )
    last_id = 0
    while True:
        batch = connection.execute(
            sa.select(applications.c.id, applications.c.applicant_name)
            .where(applications.c.id > last_id)
            .order_by(applications.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        # The members of each application's latest verification (the later rows win).
        members: dict[int, list] = {}
        for application_id, identities in connection.execute(
            sa.select(verifications.c.application_id, verifications.c.identities)
            .where(verifications.c.application_id.in_([row[0] for row in batch]))
            .order_by(verifications.c.id)
        ):
            members[application_id] = identities or []
        rows = [
            {"application_id": application_id, "word": word}
            for application_id, name in batch
            for word in sorted(_words(name, members.get(application_id, [])))
        ]
        if rows:
            connection.execute(sa.insert(words), rows)
        last_id = batch[-1][0]


def _words(applicant_name: str, identities: list) -> set[str]:
    names = [applicant_name] + [identity.get("full_name") or "" for identity in identities]
    return name_words(" ".join(names))


def downgrade() -> None:
    # Not a batch: SQLite (3.35 on) drops a column in place, where a batch would copy the
    # table that so many others reference.
    op.drop_column("applications", "paper_dated_on")
    with op.batch_alter_table("application_search_words", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_search_words_application_id"))
    op.drop_table("application_search_words")
