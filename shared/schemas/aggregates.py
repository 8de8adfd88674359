"""AggregateSnapshot, schema versions 1 and 2: per-commune counts, nothing else.

Version 2 (what nodes send now) adds, per commune, ``projected`` (the households whose facts the
node holds, classified under the next national standard) and ``activity`` (counts of the review's
steps, for the hub's signals), and, per snapshot, ``official`` (the province's approval of the
period's results: decision number, date and revision). The hub accepts both versions.

The field lists below are the allowlist: the node dumps through this schema and the hub loads
through it with unknown fields refused, so a name, an ID number, a phone or a free text cannot
cross even by mistake — there is no field that could carry one. Every string is closed: a code
of a known unit, standard or indicator, a fixed-length hash, an ISO 8601 moment; each pattern
matches the whole string in ASCII (``\\d`` and ``$`` alone would let other scripts' digits and a
trailing newline through). Every count is a whole number from 0 to MAX_COUNT. A count may be
suppressed (small-cell suppression, k set per node): it is then null and named in the row's
``suppressed``, and only then.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any

import marshmallow as ma

from shared import units
from shared.standards import get_standard, national_standards

SCHEMA_VERSION = 2
SCHEMA_VERSIONS = (1, 2)
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
# Version 2, per commune: how far the review went for the period, counted from the node's own
# records (applications, verifications, village-meeting votes); the hub's signals read them.
ACTIVITY_FIELDS = (
    "applications_received",
    "verified",
    "verified_class_changed",
    "meeting_votes",
    "meeting_votes_unanimous",
    "applications_overdue",
)
# Version 2, per commune: the counts of ``projected`` (the next standard) and of its ``current``
# (the same households under the period's standard).
PROJECTED_FIELDS = ("households", "poor", "near_poor")
CURRENT_FIELDS = ("poor", "near_poor")
# A province's approval decision, e.g. "1234/QĐ-UBND": digits, a slash, "QĐ-" and the issuer's
# letters in capitals (Đ included), up to two more dash-separated parts. Nothing else.
DECISION_NUMBER = r"[0-9]{1,6}/QĐ-[A-Z0-9Đ]{1,20}(-[A-Z0-9Đ]{1,20}){0,2}"
MAX_REVISION = 1000
# The largest commune counts about half a million people: no count of one reaches ten million.
# The bound also keeps every count within the hub's 32-bit columns.
MAX_COUNT = 10_000_000
STANDARD_IDS = tuple(standard.id for standard in national_standards())
# Every indicator code of the national standards; a snapshot may use its own standard's only.
INDICATOR_CODES = tuple(
    sorted(
        {indicator.code for standard in national_standards() for indicator in standard.indicators}
    )
)
# What a row's ``suppressed`` may name: a count, or an indicator's count as ``deprived.CODE``.
SUPPRESSIBLE = (*COUNT_FIELDS, *(f"deprived.{code}" for code in INDICATOR_CODES))
PROVINCE_CODES = tuple(province.code for province in units.provinces())
MAX_COMMUNES = max(len(units.communes(code)) for code in PROVINCE_CODES)
ISO_MOMENT = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})"


class Closed(ma.validate.Validator):
    """The whole string matches ``pattern``, in ASCII; the error names the form, never the value."""

    def __init__(self, pattern: str, form: str) -> None:
        self.regex = re.compile(pattern, re.ASCII)
        self.form = form

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(f"Must be {self.form}.")
        return value


def _moment(value: str) -> str:
    """An ISO 8601 date and time with its offset, that exists."""
    Closed(ISO_MOMENT, "an ISO 8601 date and time with an offset")(value)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ma.ValidationError("Must be a date and time that exists.") from None
    return value


def _one_of(choices: tuple[str, ...], what: str) -> ma.validate.OneOf:
    return ma.validate.OneOf(choices, error=f"Must be {what}.")


def _count(**kwargs: Any) -> ma.fields.Integer:
    return ma.fields.Integer(
        allow_none=True, strict=True, validate=ma.validate.Range(0, MAX_COUNT), **kwargs
    )


class IndicatorCounts(ma.fields.Dict):
    """Indicator code → count. An unknown key is refused without repeating it in the error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=ma.fields.String(), values=_count(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dict):
            unknown = sum(1 for key in value if key not in INDICATOR_CODES)
            if unknown:
                raise ma.ValidationError(
                    f"{unknown} key(s) are not indicator codes of a national standard."
                )
        return super()._deserialize(value, attr, data, **kwargs)


class CommuneRowSchema(ma.Schema):
    """One commune's counts for the period; explicit zeros, never a missing row."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    commune_code = ma.fields.String(required=True, validate=Closed(r"\d{5}", "five digits"))
    households_total = _count(required=True)
    poor = _count(required=True)
    near_poor = _count(required=True)
    average = _count(required=True)
    not_poor = _count(required=True)
    poor_rural = _count(required=True)
    poor_urban = _count(required=True)
    near_poor_rural = _count(required=True)
    near_poor_urban = _count(required=True)
    new_poor = _count(required=True)
    new_near_poor = _count(required=True)
    exited_poor = _count(required=True)
    exited_near_poor = _count(required=True)
    fell_back = _count(required=True)
    ethnic_minority_poor = _count(required=True)
    ethnic_minority_near_poor = _count(required=True)
    members_poor = _count(required=True)
    members_near_poor = _count(required=True)
    applications_pending = _count(required=True)
    deprived = IndicatorCounts(
        required=True,
        metadata={"description": "indicator code → households deprived, among poor and near-poor"},
    )
    suppressed = ma.fields.List(
        ma.fields.String(validate=_one_of(SUPPRESSIBLE, "a count's name or deprived.CODE")),
        load_default=list,
        validate=ma.validate.Length(max=len(SUPPRESSIBLE)),
        metadata={"description": "counts withheld as too small to publish (null above)"},
    )

    @ma.validates_schema
    def nulls_are_the_suppressed(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A count is null exactly when ``suppressed`` names it, and it names each one once."""
        named = data.get("suppressed", [])
        if len(named) != len(set(named)):
            raise ma.ValidationError("names a count twice", "suppressed")
        if null_paths(data) != set(named):
            raise ma.ValidationError("must name exactly the null counts", "suppressed")


def null_paths(row: dict[str, Any]) -> set[str]:
    """The dotted names of a row's null counts (v1 and v2 alike), as ``suppressed`` names them."""
    nulls = {name for name in COUNT_FIELDS if row.get(name, 0) is None}
    nulls |= {f"deprived.{code}" for code, n in (row.get("deprived") or {}).items() if n is None}
    nulls |= {f"activity.{k}" for k, n in (row.get("activity") or {}).items() if n is None}
    projected = row.get("projected") or {}
    nulls |= {f"projected.{k}" for k in PROJECTED_FIELDS if projected.get(k, 0) is None}
    for code, n in (projected.get("deprived") or {}).items():
        if n is None:
            nulls.add(f"projected.deprived.{code}")
    current = projected.get("current") or {}
    nulls |= {f"projected.current.{k}" for k in CURRENT_FIELDS if current.get(k, 0) is None}
    for code, n in (current.get("deprived") or {}).items():
        if n is None:
            nulls.add(f"projected.current.deprived.{code}")
    return nulls


if (
    tuple(name for name in CommuneRowSchema._declared_fields if name in COUNT_FIELDS)
    != COUNT_FIELDS
):
    raise AssertionError("CommuneRowSchema and COUNT_FIELDS must list the same counts in order")


SUPPRESSIBLE_V2 = (
    *SUPPRESSIBLE,
    *(f"activity.{name}" for name in ACTIVITY_FIELDS),
    *(f"projected.{name}" for name in PROJECTED_FIELDS),
    *(f"projected.deprived.{code}" for code in INDICATOR_CODES),
    *(f"projected.current.{name}" for name in CURRENT_FIELDS),
    *(f"projected.current.deprived.{code}" for code in INDICATOR_CODES),
)


class _Counts(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


ActivitySchema = type(
    "ActivitySchema",
    (_Counts,),
    {
        "__doc__": "How far the commune's review went for the period: counts of its steps.",
        **{name: _count(required=True) for name in ACTIVITY_FIELDS},
    },
)


class CurrentSchema(_Counts):
    """The projected households under the period's own standard (the baseline)."""

    poor = _count(required=True)
    near_poor = _count(required=True)
    deprived = IndicatorCounts(required=True)


class ProjectedSchema(_Counts):
    """The households whose facts the node holds, classified under the next national standard."""

    standard_id = ma.fields.String(
        required=True, validate=_one_of(STANDARD_IDS, "the id of a national standard")
    )
    households = _count(required=True, metadata={"description": "households assessed"})
    poor = _count(required=True)
    near_poor = _count(required=True)
    deprived = IndicatorCounts(
        required=True,
        metadata={"description": "indicator code → assessed households deprived (next standard)"},
    )
    current = ma.fields.Nested(CurrentSchema, required=True)


class CommuneRowV2Schema(CommuneRowSchema):
    """Version 2 of a commune's row: the counts of version 1, its activity and projection."""

    activity = ma.fields.Nested(ActivitySchema, required=True)
    projected = ma.fields.Nested(
        ProjectedSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null when no later national standard is known"},
    )
    suppressed = ma.fields.List(
        ma.fields.String(validate=_one_of(SUPPRESSIBLE_V2, "a count's dotted name")),
        load_default=list,
        validate=ma.validate.Length(max=len(SUPPRESSIBLE_V2)),
        metadata={"description": "counts withheld as too small to publish (null above)"},
    )


def _decided_on(value: str) -> str:
    """An ISO 8601 date (YYYY-MM-DD) that exists."""
    Closed(r"\d{4}-\d{2}-\d{2}", "an ISO 8601 date")(value)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ma.ValidationError("Must be a date that exists.") from None
    return value


class OfficialSchema(_Counts):
    """The province's approval of the period's results (chốt số liệu): its decision, a revision."""

    decision_number = ma.fields.String(
        required=True, validate=Closed(DECISION_NUMBER, "a decision number such as 123/QĐ-UBND")
    )
    decided_on = ma.fields.String(required=True, validate=_decided_on)
    revision = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(1, MAX_REVISION)
    )


class AggregateSnapshotV1Schema(ma.Schema):
    """A node's aggregate snapshot for one period, version 1 (nodes before the year close)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    schema_version = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Equal(1))
    province_code = ma.fields.String(
        required=True, validate=_one_of(PROVINCE_CODES, "one of the 34 province codes")
    )
    period = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(2000, 2100))
    standard_id = ma.fields.String(
        required=True, validate=_one_of(STANDARD_IDS, "the id of a national standard")
    )
    generated_at = ma.fields.String(required=True, validate=_moment)
    snapshot_id = ma.fields.String(
        required=True, validate=Closed(r"[0-9a-f]{64}", "64 lowercase hexadecimal digits")
    )
    suppression_k = ma.fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=ma.validate.Range(2, MAX_COUNT)
    )
    rows = ma.fields.List(
        ma.fields.Nested(CommuneRowSchema),
        required=True,
        validate=ma.validate.Length(max=MAX_COMMUNES),
    )

    @ma.validates_schema
    def communes_once(self, data: dict[str, Any], **kwargs: Any) -> None:
        codes = [row["commune_code"] for row in data.get("rows", [])]
        if len(codes) != len(set(codes)):
            raise ma.ValidationError("a commune appears twice", "rows")
        province_code = data["province_code"]
        strangers = [
            code
            for code in codes
            if not units.is_commune_code(code) or units.commune(code).province_code != province_code
        ]
        if strangers:
            # Five digits each (checked above), so safe to name.
            raise ma.ValidationError(
                f"communes not in province {province_code}: {', '.join(strangers[:5])}", "rows"
            )

    @ma.validates_schema
    def standard_of_the_period(self, data: dict[str, Any], **kwargs: Any) -> None:
        """The period's standard, and only its indicators."""
        standard = get_standard(data["standard_id"])
        if not standard.covers(data["period"]):
            raise ma.ValidationError(
                f"{standard.id} does not cover period {data['period']}", "standard_id"
            )
        codes = {indicator.code for indicator in standard.indicators}
        for row in data.get("rows", []):
            if not set(row["deprived"]) <= codes:
                raise ma.ValidationError(f"an indicator that is not {standard.id}'s", "rows")


class AggregateSnapshotSchema(AggregateSnapshotV1Schema):
    """A node's aggregate snapshot for one period, version 2: what nodes send now."""

    schema_version = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Equal(SCHEMA_VERSION)
    )
    rows = ma.fields.List(
        ma.fields.Nested(CommuneRowV2Schema),
        required=True,
        validate=ma.validate.Length(max=MAX_COMMUNES),
    )
    official = ma.fields.Nested(
        OfficialSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null until the province closes the period"},
    )

    @ma.validates_schema
    def approved_near_the_period(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A period's results are approved from the year before (the periodic review that draws
        up its lists) to the year after."""
        official = data.get("official")
        if official and not -1 <= int(official["decided_on"][:4]) - data["period"] <= 1:
            raise ma.ValidationError("must fall from the year before the period to the year after",
                                     "official")  # fmt: skip

    @ma.validates_schema
    def projected_is_later(self, data: dict[str, Any], **kwargs: Any) -> None:
        """The projection's standard is a later national standard than the period's, and its
        indicator counts are that standard's (the baseline's, the period's)."""
        standard = get_standard(data["standard_id"])
        codes = {indicator.code for indicator in standard.indicators}
        for row in data.get("rows", []):
            projected = row.get("projected")
            if projected is None:
                continue
            later = get_standard(projected["standard_id"])
            if later.period_from <= standard.period_to:
                raise ma.ValidationError("a standard that is not later than the period's", "rows")
            if not set(projected["deprived"]) <= {i.code for i in later.indicators}:
                raise ma.ValidationError(f"an indicator that is not {later.id}'s", "rows")
            if not set(projected["current"]["deprived"]) <= codes:
                raise ma.ValidationError(f"an indicator that is not {standard.id}'s", "rows")


SCHEMAS = {1: AggregateSnapshotV1Schema, 2: AggregateSnapshotSchema}


def load_snapshot(content: Any) -> dict[str, Any]:
    """The snapshot loaded through the schema of its version (1 or 2); raises ValidationError."""
    version = content.get("schema_version") if isinstance(content, dict) else None
    if type(version) is not int or version not in SCHEMAS:
        raise ma.ValidationError(
            {"schema_version": [f"Must be one of {', '.join(map(str, SCHEMA_VERSIONS))}."]}
        )
    return SCHEMAS[version]().load(content)


def snapshot_id_of(content: dict[str, Any]) -> str:
    """The content hash: SHA-256 of the snapshot's canonical JSON without id and timestamp.

    Two builds over the same figures get the same id, so the hub's ETag check answers 304.
    """
    hashed = {k: v for k, v in content.items() if k not in ("snapshot_id", "generated_at")}
    canonical = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
