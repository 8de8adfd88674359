"""Version 2 of the node→hub wire schema: the projection under the next standard, the review's
activity and the province's approval (official) — counts and closed strings only, as in v1."""

from __future__ import annotations

import marshmallow as ma
import pytest

from shared.schemas import (
    ACTIVITY_FIELDS,
    COUNT_FIELDS,
    AggregateSnapshotSchema,
    load_snapshot,
)


def projected(**changes):
    return {
        "standard_id": "VN-2027-2030",
        "households": 10,
        "poor": 3,
        "near_poor": 2,
        "deprived": {"waste": 4},
        "current": {"poor": 2, "near_poor": 1, "deprived": {"information_access": 2}},
    } | changes


def row(**changes):
    return (
        {"commune_code": "00070", "deprived": {"sanitation": 2}}
        | dict.fromkeys(COUNT_FIELDS, 0)
        | {"activity": dict.fromkeys(ACTIVITY_FIELDS, 0), "projected": projected()}
        | changes
    )


def snapshot(**changes):
    return {
        "schema_version": 2,
        "province_code": "01",
        "period": 2026,
        "standard_id": "VN-2022-2025",
        "generated_at": "2026-11-28T00:00:00+00:00",
        "snapshot_id": "a" * 64,
        "rows": [row()],
        "official": {"decision_number": "123/QĐ-UBND", "decided_on": "2026-12-20", "revision": 1},
    } | changes


def test_a_version_2_snapshot_loads():
    loaded = AggregateSnapshotSchema().load(snapshot())
    assert loaded["official"]["revision"] == 1
    assert loaded["rows"][0]["projected"]["poor"] == 3
    assert loaded["rows"][0]["activity"]["verified"] == 0


def test_official_and_projected_may_be_null():
    loaded = AggregateSnapshotSchema().load(snapshot(official=None, rows=[row(projected=None)]))
    assert loaded["official"] is None
    assert loaded["rows"][0]["projected"] is None


@pytest.mark.parametrize("version", [1, 2])
def test_load_snapshot_takes_either_version(version):
    document = snapshot()
    if version == 1:
        document = {k: v for k, v in document.items() if k != "official"} | {"schema_version": 1}
        document["rows"] = [{k: v for k, v in row().items() if k not in ("activity", "projected")}]
    assert load_snapshot(document)["schema_version"] == version


@pytest.mark.parametrize("version", [0, 3, "2", 2.0, None, True])
def test_load_snapshot_refuses_other_versions(version):
    with pytest.raises(ma.ValidationError) as caught:
        load_snapshot(snapshot(schema_version=version))
    assert "schema_version" in caught.value.messages


def test_a_version_1_body_does_not_pass_as_version_2():
    document = snapshot()
    del document["official"]
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotSchema().load(document)


DECISIONS = {
    "a name": "Nguyễn Văn An",
    "free text": "Quyết định phê duyệt",
    "lower case": "123/qđ-ubnd",
    "a trailing newline": "123/QĐ-UBND\n",
    "other digits": "١٢٣/QĐ-UBND",
    "no number": "/QĐ-UBND",
    "too long": "123/QĐ-" + "A" * 21,
    "control characters": "123/QĐ-UB\x00ND",
    "a formula": "=1+1",
    "decomposed letters": "123/QD\u0302-UBND",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_the_decision_number_is_closed(name):
    official = {"decision_number": DECISIONS[name], "decided_on": "2026-12-20", "revision": 1}
    with pytest.raises(ma.ValidationError) as caught:
        AggregateSnapshotSchema().load(snapshot(official=official))
    if DECISIONS[name] and name != "no number":  # the message's own example ends in /QĐ-UBND
        assert DECISIONS[name] not in str(caught.value.messages)


@pytest.mark.parametrize(
    "number", ["1/QĐ-UBND", "217/QĐ-BLĐTBXH", "4521/QĐ-UBND-VX", "999999/QĐ-UBND-A1-B2"]
)
def test_real_decision_numbers_load(number):
    official = {"decision_number": number, "decided_on": "2026-12-20", "revision": 2}
    assert AggregateSnapshotSchema().load(snapshot(official=official))["official"]["revision"] == 2


@pytest.mark.parametrize(
    "official",
    [
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-02-30", "revision": 1},
        {"decision_number": "1/QĐ-UBND", "decided_on": "20/12/2026", "revision": 1},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-12-20T00:00:00", "revision": 1},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2020-12-20", "revision": 1},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2030-01-01", "revision": 1},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-12-20", "revision": 0},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-12-20", "revision": "1"},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-12-20", "revision": 1.0},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-12-20", "revision": 10**6},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-12-20"},
        {"decision_number": "1/QĐ-UBND", "decided_on": "2026-12-20", "revision": 1, "by": "x"},
        "123/QĐ-UBND",
    ],
)
def test_official_is_a_closed_object(official):
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotSchema().load(snapshot(official=official))


@pytest.mark.parametrize(
    "change",
    [
        {"projected": projected(standard_id="VN-2022-2025")},  # not a later standard
        {"projected": projected(standard_id="VN-2027-2030-local")},
        {"projected": projected(deprived={"information_access": 1})},  # not 2027-2030's
        {"projected": projected(current={"poor": 0, "near_poor": 0, "deprived": {"waste": 1}})},
        {"projected": projected(households=-1)},
        {"projected": projected(poor="3")},
        {"projected": projected(head_name="Nguyễn Văn An")},
        {"projected": projected(current={"poor": 0, "near_poor": 0})},
        {"activity": {"verified": 1}},
        {"activity": dict.fromkeys(ACTIVITY_FIELDS, 0) | {"names": 1}},
        {"activity": dict.fromkeys(ACTIVITY_FIELDS, 10**7 + 1)},
        {"activity": None},
    ],
)
def test_projected_and_activity_are_counts_of_the_right_standards(change):
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotSchema().load(snapshot(rows=[row(**change)]))


def test_suppressed_v2_counts_are_named_by_their_path():
    suppressed = row(
        activity=dict.fromkeys(ACTIVITY_FIELDS, 0) | {"verified": None},
        projected=projected(poor=None, deprived={"waste": None}),
        suppressed=["activity.verified", "projected.poor", "projected.deprived.waste"],
    )
    loaded = AggregateSnapshotSchema().load(snapshot(rows=[suppressed]))
    assert loaded["rows"][0]["projected"]["poor"] is None

    suppressed["suppressed"] = ["activity.verified", "projected.poor"]
    with pytest.raises(ma.ValidationError):
        AggregateSnapshotSchema().load(snapshot(rows=[suppressed]))
