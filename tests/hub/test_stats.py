"""Stats from the current snapshots: summed in SQL per level, suppressed cells skipped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.services import stats
from hub.services.errors import ValidationFailed
from hub.services.pulls import store_snapshot
from shared.schemas import COUNT_FIELDS
from shared.units import commune, province
from tests.hub.fakenode import make_snapshot

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def total(snapshots, name):
    return sum(row[name] or 0 for snapshot in snapshots for row in snapshot["rows"])


@pytest.fixture
def stored(db_session):
    """Hà Nội and Lai Châu in 2026 (Hà Nội twice: only the later counts), Lai Châu in 2025."""
    snapshots = {
        "01-old": make_snapshot("01", 2026, scale=9, communes=5),
        "01": make_snapshot("01", 2026, scale=1, communes=5),
        "12": make_snapshot("12", 2026, scale=2, communes=4),
        "12-2025": make_snapshot("12", 2025, scale=3, communes=4),
    }
    for snapshot in snapshots.values():
        store_snapshot(db_session, snapshot, now=NOW)
    db_session.commit()
    return snapshots


def test_national_sums_every_count_of_the_current_snapshots(db_session, stored):
    [item] = stats.stats(db_session, period=2026, level="national")

    assert item["code"] == "VN"
    assert item["name"] == "Việt Nam"
    for name in COUNT_FIELDS:
        assert item[name] == total([stored["01"], stored["12"]], name), name
    assert item["deprived"]["employment"] == sum(
        row["deprived"]["employment"] for s in (stored["01"], stored["12"]) for row in s["rows"]
    )


def test_province_level_lists_the_provinces_with_data(db_session, stored):
    items = stats.stats(db_session, period=2026, level="province")

    assert [(item["code"], item["name"]) for item in items] == [
        ("01", province("01").name),
        ("12", province("12").name),
    ]
    assert items[1]["poor"] == total([stored["12"]], "poor")
    only = stats.stats(db_session, period=2026, level="province", code="12")
    assert only == [items[1]]


def test_commune_level_lists_the_communes_of_one_province(db_session, stored):
    items = stats.stats(db_session, period=2026, level="commune", code="12")

    assert [item["code"] for item in items] == [row["commune_code"] for row in stored["12"]["rows"]]
    first = stored["12"]["rows"][0]
    assert items[0]["name"] == commune(first["commune_code"]).name
    assert {name: items[0][name] for name in COUNT_FIELDS} == {n: first[n] for n in COUNT_FIELDS}
    assert items[0]["deprived"] == first["deprived"]


def test_each_period_has_its_own_figures(db_session, stored):
    [item] = stats.stats(db_session, period=2025, level="national")

    assert item["poor"] == total([stored["12-2025"]], "poor")
    assert stats.node_periods(db_session) == [2026, 2025]
    assert stats.latest_period(db_session) == 2026
    trends = stats.trends(db_session)
    # Before the nodes: the published results of 2022–2024.
    assert [(row["period"], row["provinces"], row["source"]) for row in trends] == [
        (2022, None, "published"), (2023, None, "published"), (2024, None, "published"),
        (2025, 1, "node"), (2026, 2, "node"),
    ]  # fmt: skip
    assert trends[4]["households_total"] == total([stored["01"], stored["12"]], "households_total")


def test_suppressed_cells_are_skipped_in_sums(db_session):
    code = make_snapshot("12", communes=2)["rows"][0]["commune_code"]
    snapshot = make_snapshot("12", communes=2, suppressed={code: ["poor", "fell_back"]})
    store_snapshot(db_session, snapshot, now=NOW)

    [item] = stats.stats(db_session, period=2026, level="national")
    [first, _second] = stats.stats(db_session, period=2026, level="commune", code="12")

    assert item["poor"] == snapshot["rows"][1]["poor"]
    assert first["poor"] is None
    assert first["fell_back"] is None


def test_no_data_gives_an_empty_national_item_and_no_provinces(db_session):
    assert stats.stats(db_session, period=2030, level="province") == []
    [item] = stats.stats(db_session, period=2030, level="national")
    assert item["poor"] == 0


@pytest.mark.parametrize(
    ("level", "code", "field"),
    [("region", None, "level"), ("commune", None, "code"), ("province", "99", "code"),
     ("national", "01", "code")],
)  # fmt: skip
def test_bad_queries_name_the_field(db_session, level, code, field):
    with pytest.raises(ValidationFailed) as raised:
        stats.stats(db_session, period=2026, level=level, code=code)

    assert set(raised.value.fields) == {field}
