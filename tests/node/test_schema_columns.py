"""No input passes its schema and then dies in a column (issue 12, class 6).

Every text an input schema takes is either mapped here to the column it is stored in — and its
maximum is no more than the column's length (the schemas read it with ``column_length``, one
source) — or bounded by its own rule (a list of choices, a pattern), or said here not to be
stored in a column of a fixed length. A new field that is none of these fails the test.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import marshmallow as ma
import pytest

from node.models import (
    Application,
    AuditEntry,
    Complaint,
    Decision,
    Holiday,
    Household,
    Meeting,
    Member,
    PeriodClose,
    User,
    Verification,
    Village,
)
from node.schemas import admin, applications, auth, public, review
from node.services import identity
from shared.web.fields import column_length

# (schema, field path) → the columns the value is stored in (or looked up in).
STORED = {
    ("ListQuerySchema", "village"): [Village.code],
    ("FileQuerySchema", "why"): [AuditEntry.why],
    ("IdentitySchema", "full_name"): [Member.full_name, Household.head_name],
    ("IdentitySchema", "ethnicity"): [Member.ethnicity],
    ("VerifySchema", "identities.full_name"): [Member.full_name, Household.head_name],
    ("VerifySchema", "identities.ethnicity"): [Member.ethnicity],
    ("VerifySchema", "address"): [Verification.head_address, Household.address],
    ("MeetingActionSchema", "village_code"): [Village.code],
    ("MeetingActionSchema", "chaired_by"): [Meeting.chaired_by],
    ("MeetingSchema", "village_code"): [Village.code],
    ("MeetingSchema", "chaired_by"): [Meeting.chaired_by],
    ("ComplaintSchema", "complainant"): [Complaint.complainant],
    ("DecideActionSchema", "number"): [Decision.number],
    ("DecisionSchema", "number"): [Decision.number],
    ("ApplicationRequestSchema", "village_code"): [Village.code],
    ("NewUserSchema", "username"): [User.username],
    ("NewUserSchema", "full_name"): [User.full_name],
    ("VillageSchema", "name"): [Village.name],
    ("VillageNameSchema", "name"): [Village.name],
    ("HolidaySchema", "name"): [Holiday.name],
    ("SignInFormSchema", "username"): [User.username],
    ("ClosePeriodSchema", "decision_number"): [PeriodClose.decision_number],
}
# Fields whose normaliser bounds what is stored: (schema, path) → (longest result, columns).
NORMALISED = {
    ("IdentitySchema", "citizen_id"): (12, [Member.citizen_id]),
    ("VerifySchema", "identities.citizen_id"): (12, [Member.citizen_id]),
    ("ApplicantSchema", "full_name"): (identity.NAME_MAX_LENGTH, [Application.applicant_name]),
    ("ApplicantSchema", "citizen_id"): (12, [Application.applicant_citizen_id]),
    ("ApplicantSchema", "phone"): (11, [Application.applicant_phone]),
    ("ApplicationRequestSchema", "applicant.full_name"): (
        identity.NAME_MAX_LENGTH,
        [Application.applicant_name],
    ),
    ("ApplicationRequestSchema", "applicant.citizen_id"): (12, [Application.applicant_citizen_id]),
    ("ApplicationRequestSchema", "applicant.phone"): (11, [Application.applicant_phone]),
    ("ApplicantProofSchema", "phone"): (11, [Application.applicant_phone]),
    ("ApplicantProofSchema", "citizen_id"): (12, [Application.applicant_citizen_id]),
}
# Texts kept in TEXT columns, or never in a column as given (passwords are hashed, a code is
# checked, a unit list is split into codes the service checks, a page to return to, a list's
# page token that is decoded and checked, never stored; a search, folded into lookups).
NOT_IN_A_FIXED_COLUMN = {
    "content", "reasons", "note", "lines.reasons", "password", "totp", "code", "proof",
    "units", "next", "parent", "after", "before", "notes", "q",
}  # fmt: skip
MODULES = (review, applications, admin, auth, public)


def input_schemas() -> Iterator[tuple[str, ma.Schema]]:
    """Every schema the node loads input with (the answers' schemas only dump)."""
    for module in MODULES:
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, ma.Schema)
                and cls.__module__ == module.__name__
                and not name.startswith("_")
                and (issubclass(cls, (review.Strict,)) or name.endswith("QuerySchema"))
            ):
                yield name, cls()


def text_fields(schema: ma.Schema, prefix: str = "") -> Iterator[tuple[str, ma.fields.Field]]:
    for name, field in schema.fields.items():
        if isinstance(field, ma.fields.Nested):
            yield from text_fields(field.schema, f"{prefix}{name}.")
        elif isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Nested):
            yield from text_fields(field.inner.schema, f"{prefix}{name}.")
        elif isinstance(field, ma.fields.String):
            yield prefix + name, field


def maximum(field: ma.fields.Field) -> int | None:
    lengths = [v.max for v in field.validators if isinstance(v, ma.validate.Length) and v.max]
    return min(lengths) if lengths else None


def bounded_by_its_rule(field: ma.fields.Field) -> bool:
    return any(isinstance(v, ma.validate.OneOf | ma.validate.Regexp) for v in field.validators)


FIELDS = [
    (schema_name, path, field)
    for schema_name, schema in input_schemas()
    for path, field in text_fields(schema)
]


@pytest.mark.parametrize(
    ("schema_name", "path", "field"), FIELDS, ids=[f"{s}.{p}" for s, p, _ in FIELDS]
)
def test_every_text_fits_the_column_it_is_stored_in(schema_name, path, field):
    key = (schema_name, path)
    if key in STORED:
        longest = maximum(field)
        assert longest is not None, f"{key} has no maximum length"
        for column in STORED[key]:
            assert longest <= column_length(column), (key, column, longest)
    elif key in NORMALISED:
        longest, columns = NORMALISED[key]
        for column in columns:
            assert longest <= column_length(column), (key, column)
    else:
        assert bounded_by_its_rule(field) or path in NOT_IN_A_FIXED_COLUMN, (
            f"{key}: map it to its column in STORED, or say why it is not stored in one"
        )


def test_the_limits_are_the_columns_where_the_column_is_the_limit():
    """One source: these maxima are the columns' lengths, read from the models."""
    schemas = dict(input_schemas())
    for (schema_name, path), columns in STORED.items():
        if path in ("identities.full_name", "full_name") and schema_name != "NewUserSchema":
            continue  # a person's name: the identity rule's 100 characters (identity.py)
        field = dict(text_fields(schemas[schema_name]))[path]
        assert maximum(field) == min(column_length(c) for c in columns), (schema_name, path)


def test_the_names_rule_fits_its_columns():
    assert column_length(Member.full_name) >= identity.NAME_MAX_LENGTH
    assert identity.normalize_name("Nguyễn " * 20) is None  # 140 characters
