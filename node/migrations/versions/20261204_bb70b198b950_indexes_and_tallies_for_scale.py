"""Indexes and summed counts so that a request's cost does not grow with the province (issue 17).

- ``verification_identities``: the citizen IDs each verification recorded, one row per member,
  indexed, filled from the verifications' ``identities`` JSON; duplicate detection looks them up
  instead of reading every open application's verifications.
- ``status_tallies`` and ``deprivation_tallies``: the decided statuses summed per period,
  commune and class (and indicator), filled from the statuses; R1–R4 and the snapshot read them.
- The worklist's partial indexes over the open applications (a commune's and the province's, by
  deadline), which replace the plain index on ``due_on``; R5's index on statuses by period and
  class.

Revision ID: bb70b198b950
Revises: e0ba0a4e0d25
Create Date: 2026-12-04 21:02:30.098905
"""

import sqlalchemy as sa
from alembic import op

revision = "bb70b198b950"
down_revision = "e0ba0a4e0d25"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('submitted', 'under_review', 'meeting_held', 'posted')")

# Each member with a citizen ID in a verification's identities, with its place in the list.
IDENTITIES = {
    "postgresql": """
        INSERT INTO verification_identities (verification_id, application_id, position, citizen_id)
        SELECT v.id, v.application_id, e.position - 1, e.member ->> 'citizen_id'
        FROM verifications AS v
        CROSS JOIN LATERAL json_array_elements(v.identities::json)
            WITH ORDINALITY AS e (member, position)
        WHERE coalesce(e.member ->> 'citizen_id', '') <> ''
        ORDER BY v.id, e.position
    """,
    "sqlite": """
        INSERT INTO verification_identities (verification_id, application_id, position, citizen_id)
        SELECT v.id, v.application_id, CAST(e.key AS INTEGER),
            json_extract(e.value, '$.citizen_id')
        FROM verifications AS v, json_each(v.identities) AS e
        WHERE coalesce(json_extract(e.value, '$.citizen_id'), '') <> ''
        ORDER BY v.id, CAST(e.key AS INTEGER)
    """,
}
# The counts node.services.aggregates made from the statuses, per period, commune and class.
STATUS_TALLIES = """
    INSERT INTO status_tallies (period, commune_code, classification, households, urban,
        ethnic_minority, fell_back, newly_listed, was_poor, was_near_poor, members)
    SELECT period, commune_code, classification, count(*),
        sum(CASE WHEN area = 'urban' THEN 1 ELSE 0 END),
        sum(CASE WHEN ethnic_minority THEN 1 ELSE 0 END),
        sum(CASE WHEN fell_back THEN 1 ELSE 0 END),
        sum(CASE WHEN coalesce(previous_classification, '') <> classification
                 AND NOT fell_back THEN 1 ELSE 0 END),
        sum(CASE WHEN previous_classification = 'poor' THEN 1 ELSE 0 END),
        sum(CASE WHEN previous_classification = 'near_poor' THEN 1 ELSE 0 END),
        coalesce(sum(members_count), 0)
    FROM household_statuses
    GROUP BY period, commune_code, classification
"""
DEPRIVATION_TALLIES = """
    INSERT INTO deprivation_tallies (period, commune_code, indicator, households)
    SELECT period, commune_code, indicator, count(*)
    FROM status_deprivations
    GROUP BY period, commune_code, indicator
"""


def upgrade() -> None:
    op.create_table(
        "deprivation_tallies",
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "commune_code", "indicator", name=op.f("pk_deprivation_tallies")
        ),
    )
    op.create_table(
        "status_tallies",
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("classification", sa.String(length=10), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("urban", sa.Integer(), nullable=False),
        sa.Column("ethnic_minority", sa.Integer(), nullable=False),
        sa.Column("fell_back", sa.Integer(), nullable=False),
        sa.Column("newly_listed", sa.Integer(), nullable=False),
        sa.Column("was_poor", sa.Integer(), nullable=False),
        sa.Column("was_near_poor", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "commune_code", "classification", name=op.f("pk_status_tallies")
        ),
    )
    op.create_table(
        "verification_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_verification_identities_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["verifications.id"],
            name=op.f("fk_verification_identities_verification_id_verifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_identities")),
    )
    bind = op.get_bind()
    op.execute(IDENTITIES[bind.dialect.name])
    op.execute(STATUS_TALLIES)
    op.execute(DEPRIVATION_TALLIES)
    # Indexed after the rows are in: one build instead of an insert per row.
    with op.batch_alter_table("verification_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_identities_application_id"), ["application_id"]
        )
        batch_op.create_index(
            "ix_verification_identities_citizen_id_application_id",
            ["citizen_id", "application_id"],
        )
        batch_op.create_index(
            batch_op.f("ix_verification_identities_verification_id"), ["verification_id"]
        )

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_due_on"))
        batch_op.create_index(
            "ix_applications_open_commune_code_due_on_id",
            ["commune_code", "due_on", "id", "period"],
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )
        batch_op.create_index(
            "ix_applications_open_due_on_id",
            ["due_on", "id"],
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )

    with op.batch_alter_table("household_statuses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_statuses_period_classification_commune_code",
            ["period", "classification", "commune_code"],
        )


def downgrade() -> None:
    with op.batch_alter_table("household_statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_household_statuses_period_classification_commune_code")

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_open_due_on_id")
        batch_op.drop_index("ix_applications_open_commune_code_due_on_id")
        batch_op.create_index(batch_op.f("ix_applications_due_on"), ["due_on"])

    with op.batch_alter_table("verification_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_identities_verification_id"))
        batch_op.drop_index("ix_verification_identities_citizen_id_application_id")
        batch_op.drop_index(batch_op.f("ix_verification_identities_application_id"))

    op.drop_table("verification_identities")
    op.drop_table("status_tallies")
    op.drop_table("deprivation_tallies")
