"""Review procedure: verifications, meetings, postings, complaints, decisions, certificates;
households with members and statuses; duplicates; periodic reviews; holidays; the audit log.

Revision ID: 3b49fdfdc3fc
Revises: 92bf46e6fe80
Create Date: 2026-11-28 02:04:04.738355
"""

import sqlalchemy as sa
from alembic import op

revision = "3b49fdfdc3fc"
down_revision = "92bf46e6fe80"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holidays")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=30), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("why", sa.String(length=500), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_log_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_log_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_log_user_id"), ["user_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["users.id"], name=op.f("fk_decisions_chair_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint(
            "commune_code", "number", name=op.f("uq_decisions_commune_code_number")
        ),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions_commune_code"), ["commune_code"], unique=False
        )

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=5), nullable=False),
        sa.Column("head_name", sa.String(length=200), nullable=False),
        sa.Column("head_citizen_id", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("ethnic_minority", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("area IN ('rural', 'urban')", name=op.f("ck_households_area")),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_households_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_households_commune_code"), ["commune_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_households_head_citizen_id"), ["head_citizen_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_households_village_id"), ["village_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("chaired_by", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attendees > 0", name=op.f("ck_meetings_attendees")),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_meetings_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_meetings_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetings_commune_code"), ["commune_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meetings_village_id"), ["village_id"], unique=False)

    op.create_table(
        "periodic_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_periodic_reviews_opened_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periodic_reviews")),
        sa.UniqueConstraint(
            "commune_code", "period", name=op.f("uq_periodic_reviews_commune_code_period")
        ),
    )
    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("posted_by", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_postings_dates")),
        sa.ForeignKeyConstraint(
            ["posted_by"], ["users.id"], name=op.f("fk_postings_posted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_postings_commune_code"), ["commune_code"], unique=False
        )

    op.create_table(
        "household_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("citizen_id", sa.String(length=12), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("ethnicity", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_members_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_household_members_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("complainant", sa.String(length=200), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_complaints_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["postings.id"], name=op.f("fk_complaints_posting_id_postings")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_complaints_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaints_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "decision_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("classification", sa.String(length=10), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome = 'recognised' OR reasons IS NOT NULL",
            name=op.f("ck_decision_items_refusal_reasons"),
        ),
        sa.CheckConstraint(
            "outcome IN ('recognised', 'refused')", name=op.f("ck_decision_items_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_decision_items_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_items_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_items")),
        sa.UniqueConstraint("application_id", name=op.f("uq_decision_items_application_id")),
    )
    with op.batch_alter_table("decision_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_items_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "district_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_district_opinions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_district_opinions_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_opinions")),
    )
    with op.batch_alter_table("district_opinions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_district_opinions_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "duplicate_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("other_application_id", sa.Integer(), nullable=True),
        sa.Column("other_household_id", sa.Integer(), nullable=True),
        sa.Column("citizen_id", sa.String(length=12), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "resolution IS NULL OR resolution IN ('merged', 'withdrawn', 'distinct')",
            name=op.f("ck_duplicate_flags_resolution"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_duplicate_flags_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["other_application_id"],
            ["applications.id"],
            name=op.f("fk_duplicate_flags_other_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["other_household_id"],
            ["households.id"],
            name=op.f("fk_duplicate_flags_other_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_duplicate_flags_resolved_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_flags")),
    )
    with op.batch_alter_table("duplicate_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duplicate_flags_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "meeting_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("agreeing", sa.Integer(), nullable=False),
        sa.Column("proposed_classification", sa.String(length=10), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.CheckConstraint("agreeing >= 0", name=op.f("ck_meeting_votes_agreeing")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_meeting_votes_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_votes_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_votes")),
        sa.UniqueConstraint(
            "meeting_id", "application_id", name=op.f("uq_meeting_votes_meeting_id_application_id")
        ),
    )
    with op.batch_alter_table("meeting_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_votes_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_votes_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "posting_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("proposed_classification", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_posting_items_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["postings.id"], name=op.f("fk_posting_items_posting_id_postings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting_items")),
        sa.UniqueConstraint(
            "posting_id", "application_id", name=op.f("uq_posting_items_posting_id_application_id")
        ),
    )
    with op.batch_alter_table("posting_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_posting_items_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_posting_items_posting_id"), ["posting_id"], unique=False
        )

    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("verified_by", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("identities", sa.JSON(), nullable=False),
        sa.Column("head_address", sa.String(length=300), nullable=True),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("classification", sa.String(length=10), nullable=False),
        sa.Column("standard_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_verifications_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"], ["users.id"], name=op.f("fk_verifications_verified_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verifications_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("decision_item_id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("classification", sa.String(length=10), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("verification_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_item_id"],
            ["decision_items.id"],
            name=op.f("fk_certificates_decision_item_id_decision_items"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_certificates_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint(
            "commune_code",
            "period",
            "sequence",
            name=op.f("uq_certificates_commune_code_period_sequence"),
        ),
        sa.UniqueConstraint("decision_item_id", name=op.f("uq_certificates_decision_item_id")),
        sa.UniqueConstraint("verification_code", name=op.f("uq_certificates_verification_code")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificates_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "household_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("classification", sa.String(length=10), nullable=False),
        sa.Column("standard_id", sa.String(length=40), nullable=False),
        sa.Column("area", sa.String(length=5), nullable=False),
        sa.Column("ethnic_minority", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("previous_classification", sa.String(length=10), nullable=True),
        sa.Column("fell_back", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("members_count", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("decision_item_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "classification IN ('poor', 'near_poor', 'average', 'not_poor')",
            name=op.f("ck_household_statuses_classification"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_household_statuses_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_item_id"],
            ["decision_items.id"],
            name=op.f("fk_household_statuses_decision_item_id_decision_items"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_statuses_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_statuses")),
        sa.UniqueConstraint(
            "household_id", "period", name=op.f("uq_household_statuses_household_id_period")
        ),
    )
    with op.batch_alter_table("household_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_statuses_commune_code"), ["commune_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_household_statuses_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_household_statuses_period"), ["period"], unique=False)

    op.create_table(
        "status_deprivations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["household_statuses.id"],
            name=op.f("fk_status_deprivations_status_id_household_statuses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_deprivations")),
        sa.UniqueConstraint(
            "status_id", "indicator", name=op.f("uq_status_deprivations_status_id_indicator")
        ),
    )
    with op.batch_alter_table("status_deprivations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_deprivations_status_id"), ["status_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_status_deprivations_period"), ["period"], unique=False)

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("household_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("filed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_applications_assigned_to_id"), ["assigned_to_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_applications_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_applications_household_id"), ["household_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_applications_household_id_households"),
            "households",
            ["household_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_applications_filed_by_id_users"), "users", ["filed_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_applications_assigned_to_id_users"), "users", ["assigned_to_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_applications_assigned_to_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_applications_filed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_applications_household_id_households"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_applications_household_id"))
        batch_op.drop_index(batch_op.f("ix_applications_due_on"))
        batch_op.drop_index(batch_op.f("ix_applications_assigned_to_id"))
        batch_op.drop_column("due_on")
        batch_op.drop_column("assigned_to_id")
        batch_op.drop_column("filed_by_id")
        batch_op.drop_column("household_id")

    with op.batch_alter_table("status_deprivations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_deprivations_period"))
        batch_op.drop_index(batch_op.f("ix_status_deprivations_status_id"))

    op.drop_table("status_deprivations")
    with op.batch_alter_table("household_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_statuses_period"))
        batch_op.drop_index(batch_op.f("ix_household_statuses_household_id"))
        batch_op.drop_index(batch_op.f("ix_household_statuses_commune_code"))

    op.drop_table("household_statuses")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_household_id"))

    op.drop_table("certificates")
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_application_id"))

    op.drop_table("verifications")
    with op.batch_alter_table("posting_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posting_items_posting_id"))
        batch_op.drop_index(batch_op.f("ix_posting_items_application_id"))

    op.drop_table("posting_items")
    with op.batch_alter_table("meeting_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_votes_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_votes_application_id"))

    op.drop_table("meeting_votes")
    with op.batch_alter_table("duplicate_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_flags_application_id"))

    op.drop_table("duplicate_flags")
    with op.batch_alter_table("district_opinions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_opinions_application_id"))

    op.drop_table("district_opinions")
    with op.batch_alter_table("decision_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_items_decision_id"))

    op.drop_table("decision_items")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_application_id"))

    op.drop_table("complaints")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_members_household_id"))
        batch_op.drop_index(batch_op.f("ix_household_members_citizen_id"))

    op.drop_table("household_members")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postings_commune_code"))

    op.drop_table("postings")
    op.drop_table("periodic_reviews")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_village_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_commune_code"))

    op.drop_table("meetings")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_village_id"))
        batch_op.drop_index(batch_op.f("ix_households_head_citizen_id"))
        batch_op.drop_index(batch_op.f("ix_households_commune_code"))

    op.drop_table("households")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_commune_code"))

    op.drop_table("decisions")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_household_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_application_id"))

    op.drop_table("audit_log")
    op.drop_table("holidays")
