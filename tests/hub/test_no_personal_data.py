"""The hub's database holds no personal data: every column of every table is on an explicit
allowlist of non-personal columns, and after pulling nodes no value in it looks like a name, a
citizen ID or a phone number."""

from __future__ import annotations

import re

import sqlalchemy as sa

from hub.extensions import db

# Every column the hub may have, and why it is not personal data. A new column fails the test
# until it is added here, with its reason, by someone who checked.
ALLOWED_COLUMNS = {
    "alembic_version": {"version_num"},  # the schema's revision
    "apscheduler_jobs": {"id", "next_run_time", "job_state"},  # pull jobs: province code only
    "nodes": {  # a province's server: address, credentials for it, pull status
        "id", "province_code", "url", "token_encrypted", "public_key", "interval_seconds",
        "enabled", "created_at", "updated_at", "last_attempt_at", "last_success_at",
        "last_outcome", "last_http_status", "last_error", "last_snapshot_id",
    },
    "pull_attempts": {  # timings, sizes and outcomes of pulls
        "id", "node_id", "province_code", "period", "started_at", "duration_ms", "tries",
        "http_status", "bytes", "outcome", "error", "snapshot_id",
    },
    "snapshots": {  # the validated AggregateSnapshot: counts per commune
        "id", "province_code", "period", "snapshot_id", "standard_id", "generated_at",
        "received_at", "confirmed_at", "is_current", "suppression_k", "body",
        # v2: the province's approval (a decision's closed-pattern number and date), the next
        # standard's id, and the node's exact signed bytes with signature and public key.
        "schema_version", "official_revision", "decision_number", "decided_on",
        "projected_standard_id", "signed_body", "signature", "public_key",
    },
    "snapshot_rows": {  # one commune's counts
        "id", "snapshot_pk", "province_code", "period", "commune_code", "households_total",
        "poor", "near_poor", "average", "not_poor", "poor_rural", "poor_urban",
        "near_poor_rural", "near_poor_urban", "new_poor", "new_near_poor", "exited_poor",
        "exited_near_poor", "fell_back", "ethnic_minority_poor", "ethnic_minority_near_poor",
        "members_poor", "members_near_poor", "applications_pending",
        # v2: counts of the review's steps and of the projection under the next standard
        "applications_received", "verified", "verified_class_changed", "meeting_votes",
        "meeting_votes_unanimous", "applications_overdue", "projected_households",
        "projected_poor", "projected_near_poor", "projected_current_poor",
        "projected_current_near_poor",
    },
    "snapshot_deprivations": {  # households deprived per indicator, per commune
        "id", "snapshot_pk", "province_code", "period", "commune_code", "indicator", "households",
        "kind",
    },
    "period_due_dates": {"period", "due_on", "set_at", "set_by"},  # when provinces must close
    # Central staff's sign-in: a login name chosen for the account (no full name, no ID, no
    # phone), a password hash, and the lockout state.
    "users": {
        "id", "username", "role", "password_hash", "active", "failed_login_count",
        "locked_until", "created_at", "password_changed_at", "last_login_at",
        # The second factor: a TOTP secret is a key, not data about a person.
        "totp_secret", "totp_pending_secret", "totp_last_step",
    },
    "user_sessions": {  # SHA-256 of session tokens and their lifetimes
        "id", "user_id", "token_hash", "kind", "created_at", "last_seen_at", "expires_at",
        "revoked_at",
    },
}  # fmt: skip
CITIZEN_ID = re.compile(r"\b\d{12}\b")
PHONE = re.compile(r"\b0\d{9}\b")


def test_every_hub_column_is_on_the_allowlist(db_session):
    inspector = sa.inspect(db_session.connection())

    columns = {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in inspector.get_table_names()
    }

    assert columns == ALLOWED_COLUMNS


def test_after_pulling_no_value_looks_personal(db_session, nodes, register, pull):
    for node in nodes.values():
        register(node)
    nodes["12"].mode = "unknown_field"  # a row carrying a citizen ID: refused, not stored
    results = pull()
    assert sorted(result.outcome for result in results) == ["error", "ok", "ok"]

    dump = []
    for table in db.metadata.sorted_tables:
        for row in db_session.execute(sa.select(table)):
            dump.extend(str(value) for value in row)
    text = "\n".join(dump)

    assert "001099012345" not in text
    assert not CITIZEN_ID.search(text)
    assert not PHONE.search(text)
