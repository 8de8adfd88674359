"""The node→hub wire schema is an allowlist of counts (DESIGN §6): version 1, which the hub still
accepts (version 2: test_schemas_v2.py)."""

from __future__ import annotations

import marshmallow as ma
import pytest

from shared.schemas import COUNT_FIELDS, AggregateSnapshotV1Schema, CommuneRowSchema, snapshot_id_of


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
    loaded = AggregateSnapshotV1Schema().load(snapshot())
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
        AggregateSnapshotV1Schema().load(snapshot(**change))
    messages = caught.value.messages
    for step in path:
        messages = messages[step]
    assert messages


def test_a_missing_count_is_refused_not_defaulted():
    incomplete = row()
    del incomplete["fell_back"]
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotV1Schema().load(snapshot(rows=[incomplete]))


def test_suppressed_counts_are_null_and_named():
    loaded = AggregateSnapshotV1Schema().load(snapshot(rows=[row(poor=None, suppressed=["poor"])]))
    assert loaded["rows"][0]["poor"] is None
    assert loaded["rows"][0]["suppressed"] == ["poor"]


def test_snapshot_id_ignores_id_and_time_but_not_figures():
    first = snapshot()
    later = snapshot(generated_at="2027-01-01T00:00:00+00:00", snapshot_id="b" * 64)
    assert snapshot_id_of(first) == snapshot_id_of(later)
    assert snapshot_id_of(first) != snapshot_id_of(snapshot(rows=[row(poor=1)]))


# Issue 12: every string in a snapshot matches a closed pattern or an enumeration, every count is
# bounded, so nothing but codes and figures can reach the hub inside a signed snapshot.

# Where a snapshot has strings, each with a way to put a value there.
STRING_PLACES = {
    "province_code": lambda document, value: document.update(province_code=value),
    "standard_id": lambda document, value: document.update(standard_id=value),
    "generated_at": lambda document, value: document.update(generated_at=value),
    "snapshot_id": lambda document, value: document.update(snapshot_id=value),
    "commune_code": lambda document, value: document["rows"][0].update(commune_code=value),
    "deprived key": lambda document, value: document["rows"][0].update(deprived={value: 1}),
    "suppressed entry": lambda document, value: document["rows"][0].update(
        poor=None, suppressed=["poor", value]
    ),
}
FREE_TEXT = {
    "a name": "Nguyễn Văn An",
    "a citizen ID": "001099012345",
    "10,000 characters": "a" * 10_000,
    "control characters": "01\x00\x1b[2J",
    "a trailing newline": "poor\n",
    "an empty string": "",
}


@pytest.mark.parametrize("text", sorted(FREE_TEXT))
@pytest.mark.parametrize("place", sorted(STRING_PLACES))
def test_no_string_field_takes_free_text(place, text):
    document = snapshot()
    STRING_PLACES[place](document, FREE_TEXT[text])

    with pytest.raises(ma.ValidationError) as caught:
        AggregateSnapshotV1Schema().load(document)
    if FREE_TEXT[text]:
        assert FREE_TEXT[text] not in str(caught.value.messages)  # the error never repeats it


@pytest.mark.parametrize(
    ("place", "value"),
    [
        ("province_code", "01\n"),  # `$` would let a trailing newline through
        ("province_code", "٠١"),  # Arabic-Indic digits are \d to Python
        ("province_code", "00"),  # two digits, but no province
        ("commune_code", "00070\n"),
        ("commune_code", "𝟎𝟎𝟎𝟕𝟎"),
        ("snapshot_id", "a" * 64 + "\n"),
        ("snapshot_id", "A" * 64),
        ("standard_id", "VN-2027-2030-local"),
        ("generated_at", "2026-11-28"),
        ("generated_at", "2026-11-28T00:00:00"),  # no offset
        ("generated_at", "2026-02-30T00:00:00+00:00"),
        ("generated_at", "2026-11-28T00:00:00+00:00\n"),
        ("deprived key", "Sanitation"),
        ("deprived key", "no_such_indicator"),
        ("suppressed entry", "deprived.no_such_indicator"),
    ],
)
def test_strings_match_their_pattern_whole_and_in_ascii(place, value):
    document = snapshot()
    STRING_PLACES[place](document, value)

    with pytest.raises(ma.ValidationError):
        AggregateSnapshotV1Schema().load(document)


@pytest.mark.parametrize("name", [*COUNT_FIELDS, "deprived"])
@pytest.mark.parametrize("value", [-1, 10**7 + 1, 2**63, True, 1.5, "3"])
def test_every_count_is_a_whole_number_in_bounds(name, value):
    changed = row(deprived={"sanitation": value}) if name == "deprived" else row(**{name: value})

    with pytest.raises(ma.ValidationError):
        AggregateSnapshotV1Schema().load(snapshot(rows=[changed]))


def test_the_largest_plausible_count_loads():
    loaded = AggregateSnapshotV1Schema().load(snapshot(rows=[row(members_poor=10**7)]))
    assert loaded["rows"][0]["members_poor"] == 10**7


@pytest.mark.parametrize(
    "change",
    [
        # An indicator of the other standard: "waste" is VN-2027-2030's, not 2026's.
        {"rows": [row(deprived={"waste": 1})]},
        # A commune of another province (00070 is Hà Nội's; 79 is TP Hồ Chí Minh).
        {"province_code": "79"},
        # A standard that does not cover the period.
        {"standard_id": "VN-2027-2030"},
        {"period": 2019},
        {"suppression_k": 1},
        {"suppression_k": 10**7 + 1},
        # Suppressed but not null, null but not named, named twice.
        {"rows": [row(suppressed=["poor"])]},
        {"rows": [row(poor=None)]},
        {"rows": [row(poor=None, suppressed=["poor", "poor"])]},
        {"rows": [row(deprived={"sanitation": None}, suppressed=[])]},
    ],
)
def test_codes_and_suppressions_agree_with_the_snapshot(change):
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotV1Schema().load(snapshot(**change))


def test_a_suppressed_indicator_count_is_named_with_its_code():
    suppressed = row(deprived={"sanitation": None}, suppressed=["deprived.sanitation"])
    loaded = AggregateSnapshotV1Schema().load(snapshot(rows=[suppressed]))
    assert loaded["rows"][0]["suppressed"] == ["deprived.sanitation"]


@pytest.mark.parametrize("value", [None, [], "2026", 2026.0])
def test_the_snapshot_is_an_object_of_the_right_types(value):
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotV1Schema().load(snapshot(period=value))
