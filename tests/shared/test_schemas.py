"""The node→hub wire schema is an allowlist of counts (DESIGN §6)."""

from __future__ import annotations

import marshmallow as ma
import pytest

from shared.schemas import COUNT_FIELDS, AggregateSnapshotSchema, CommuneRowSchema, snapshot_id_of


def row(**changes):
    return (
        {"commune_code": "00070", "deprived": {"sanitation": 2}}
        | dict.fromkeys(COUNT_FIELDS, 0)
        | changes
    )


def snapshot(**changes):
    return {
        "schema_version": 1,
        "province_code": "01",
        "period": 2026,
        "standard_id": "VN-2022-2025",
        "generated_at": "2026-11-28T00:00:00+00:00",
        "snapshot_id": "a" * 64,
        "rows": [row()],
    } | changes


def test_count_fields_are_the_rows_fields_in_order():
    declared = [name for name in CommuneRowSchema().fields if name in COUNT_FIELDS]
    assert tuple(declared) == COUNT_FIELDS
    assert set(CommuneRowSchema().fields) == {
        *COUNT_FIELDS,
        "commune_code",
        "deprived",
        "suppressed",
    }


def test_a_valid_snapshot_loads():
    loaded = AggregateSnapshotSchema().load(snapshot())
    assert loaded["rows"][0]["deprived"] == {"sanitation": 2}
    assert loaded["rows"][0]["suppressed"] == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"rows": [row(head_name="Nguyễn Văn A")]}, ("rows", 0, "head_name")),
        ({"rows": [row(poor=-1)]}, ("rows", 0, "poor")),
        ({"rows": [row(poor="3")]}, ("rows", 0, "poor")),
        ({"rows": [row(commune_code="70")]}, ("rows", 0, "commune_code")),
        ({"rows": [row(deprived={"Tên": 1})]}, ("rows", 0, "deprived")),
        ({"rows": [row(), row()]}, ("rows",)),
        ({"citizen_ids": ["001190012345"]}, ("citizen_ids",)),
        ({"schema_version": 2}, ("schema_version",)),
        ({"snapshot_id": "xyz"}, ("snapshot_id",)),
    ],
)
def test_anything_outside_the_allowlist_is_refused(change, path):
    with pytest.raises(ma.ValidationError) as caught:
        AggregateSnapshotSchema().load(snapshot(**change))
    messages = caught.value.messages
    for step in path:
        messages = messages[step]
    assert messages


def test_a_missing_count_is_refused_not_defaulted():
    incomplete = row()
    del incomplete["fell_back"]
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotSchema().load(snapshot(rows=[incomplete]))


def test_suppressed_counts_are_null_and_named():
    loaded = AggregateSnapshotSchema().load(snapshot(rows=[row(poor=None, suppressed=["poor"])]))
    assert loaded["rows"][0]["poor"] is None
    assert loaded["rows"][0]["suppressed"] == ["poor"]


def test_snapshot_id_ignores_id_and_time_but_not_figures():
    first = snapshot()
    later = snapshot(generated_at="2027-01-01T00:00:00+00:00", snapshot_id="b" * 64)
    assert snapshot_id_of(first) == snapshot_id_of(later)
    assert snapshot_id_of(first) != snapshot_id_of(snapshot(rows=[row(poor=1)]))
