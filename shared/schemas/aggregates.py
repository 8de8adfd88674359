"""AggregateSnapshot, schema version 1: per-commune counts, nothing else.

The field lists below are the allowlist: the node dumps through this schema and the hub loads
through it with unknown fields refused, so a name, an ID number, a phone or a free text cannot
cross even by mistake — there is no field that could carry one. A count may be suppressed
(small-cell suppression, k set per node): it is then null and named in the row's ``suppressed``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import marshmallow as ma

SCHEMA_VERSION = 1
# Per commune, in the order reports show them.
COUNT_FIELDS = (
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
INDICATOR_CODE = r"^[a-z][a-z_]{1,39}$"


def _count() -> ma.fields.Integer:
    return ma.fields.Integer(
        required=True, allow_none=True, strict=True, validate=ma.validate.Range(0)
    )


class CommuneRowSchema(ma.Schema):
    """One commune's counts for the period; explicit zeros, never a missing row."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    commune_code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{5}$"))
    households_total = _count()
    poor = _count()
    near_poor = _count()
    average = _count()
    not_poor = _count()
    poor_rural = _count()
    poor_urban = _count()
    near_poor_rural = _count()
    near_poor_urban = _count()
    new_poor = _count()
    new_near_poor = _count()
    exited_poor = _count()
    exited_near_poor = _count()
    fell_back = _count()
    ethnic_minority_poor = _count()
    ethnic_minority_near_poor = _count()
    members_poor = _count()
    members_near_poor = _count()
    applications_pending = _count()
    deprived = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Regexp(INDICATOR_CODE)),
        values=ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(0)),
        required=True,
        metadata={"description": "indicator code → households deprived, among poor and near-poor"},
    )
    suppressed = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=60)),
        load_default=list,
        metadata={"description": "counts withheld as too small to publish (null above)"},
    )


if (
    tuple(name for name in CommuneRowSchema._declared_fields if name in COUNT_FIELDS)
    != COUNT_FIELDS
):
    raise AssertionError("CommuneRowSchema and COUNT_FIELDS must list the same counts in order")


class AggregateSnapshotSchema(ma.Schema):
    """A node's aggregate snapshot for one period."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    schema_version = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Equal(SCHEMA_VERSION)
    )
    province_code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{2}$"))
    period = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(2000, 2100))
    standard_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    generated_at = ma.fields.String(required=True, validate=ma.validate.Length(max=40))
    snapshot_id = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[0-9a-f]{64}$"))
    suppression_k = ma.fields.Integer(strict=True, allow_none=True, load_default=None)
    rows = ma.fields.List(ma.fields.Nested(CommuneRowSchema), required=True)

    @ma.validates_schema
    def communes_once(self, data: dict[str, Any], **kwargs: Any) -> None:
        codes = [row["commune_code"] for row in data.get("rows", [])]
        if len(codes) != len(set(codes)):
            raise ma.ValidationError("a commune appears twice", "rows")


def snapshot_id_of(content: dict[str, Any]) -> str:
    """The content hash: SHA-256 of the snapshot's canonical JSON without id and timestamp.

    Two builds over the same figures get the same id, so the hub's ETag check answers 304.
    """
    hashed = {k: v for k, v in content.items() if k not in ("snapshot_id", "generated_at")}
    canonical = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
