"""The published official results of earlier reviews, the 2025 merger and the six regions: data
shipped with the hub (hub/data/*.json), read once and checked.

The Ministry's decisions list the 63 former provinces; the 2025 merger joined whole provinces, so
a new province's published figure for a year before it is the sum of its former provinces' — and
only when every one of them is listed (a partial sum would understate it). National and regional
figures are taken as published, never recomputed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shared import units

DATA = Path(__file__).resolve().parent.parent / "data"
FIGURES = (
    "poor",
    "poor_rate",
    "near_poor",
    "near_poor_rate",
    "poor_near_poor",
    "poor_near_poor_rate",
)
COUNTS = ("poor", "near_poor", "poor_near_poor")
LEVELS = ("national", "region", "former_province")


@dataclass(frozen=True)
class Source:
    """Where published figures come from: the decision (or, where its number was not found,
    the announcement quoted)."""

    key: str
    title: str
    issuer: str
    decision_number: str | None
    decided_on: str | None
    reported_by: str
    url: str
    missing: str | None

    def to_json(self) -> dict[str, Any]:
        """The source as the open data gives it."""
        return {
            "kind": "decision",
            "title": self.title,
            "issuer": self.issuer,
            "decision_number": self.decision_number,
            "decided_on": self.decided_on,
            "reported_by": self.reported_by,
            "url": self.url,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class Region:
    """One of the six socio-economic regions and the new provinces placed in it."""

    code: str
    vi: str
    en: str
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class FormerProvince:
    """A province before the 2025 merger, and the new province it joined."""

    code: str
    name: str
    new_code: str


def _read(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def sources() -> dict[str, Source]:
    """Every source of published figures, by key."""
    return {
        key: Source(key=key, **value) for key, value in _read("published.json")["sources"].items()
    }


@cache
def figures() -> tuple[dict[str, Any], ...]:
    """Every published figure row, checked: its level and code known, its source listed, its
    numbers in range."""
    rows = tuple(_read("published.json")["figures"])
    for row in rows:
        _check(row)
    return rows


def _check(row: dict[str, Any]) -> None:
    where = f"published.json {row.get('period')} {row.get('code')}"
    if row["level"] not in LEVELS or row["source"] not in sources():
        raise ValueError(f"{where}: unknown level or source")
    codes = {
        "national": {"VN"},
        "region": {region.code for region in regions()},
        "former_province": set(former_provinces()),
    }[row["level"]]
    if row["code"] not in codes:
        raise ValueError(f"{where}: unknown code")
    for name in FIGURES:
        value = row.get(name)
        if value is None:
            continue
        if name in COUNTS and (type(value) is not int or value < 0):
            raise ValueError(f"{where}: {name} must be a count")
        if name not in COUNTS and not (isinstance(value, int | float) and 0 <= value <= 100):
            raise ValueError(f"{where}: {name} must be a percentage")


@cache
def regions() -> tuple[Region, ...]:
    """The six regions, each with its new provinces."""
    return tuple(
        Region(r["code"], r["vi"], r["en"], tuple(r["provinces"]))
        for r in _read("regions.json")["regions"]
    )


def region_of(province_code: str) -> Region | None:
    """The region a (new) province is placed in."""
    return next((r for r in regions() if province_code in r.provinces), None)


@cache
def former_provinces() -> dict[str, FormerProvince]:
    """The 63 former provinces by code, each with the new province it joined."""
    return {
        row["code"]: FormerProvince(row["code"], row["name"], row["new_code"])
        for row in _read("provinces-2025.json")["former_provinces"]
    }


def merger_source() -> dict[str, Any]:
    """The resolution the merger mapping comes from."""
    return _read("provinces-2025.json")["source"]


def formers_of(new_code: str) -> list[FormerProvince]:
    """The former provinces a new province was made of."""
    return [p for p in former_provinces().values() if p.new_code == new_code]


def periods() -> list[int]:
    """The periods (review years) with published figures, oldest first."""
    return sorted({row["period"] for row in figures()})


def national(period: int) -> dict[str, Any] | None:
    """The published national figures of the period, with their source, or None."""
    return next(
        (_item(row) for row in figures() if row["period"] == period and row["level"] == "national"),
        None,
    )


def by_region(period: int) -> list[dict[str, Any]]:
    """The published regional figures of the period, in the regions' order."""
    rows = {r["code"]: r for r in figures() if r["period"] == period and r["level"] == "region"}
    return [_item(rows[region.code]) for region in regions() if region.code in rows]


def province(period: int, new_code: str) -> dict[str, Any] | None:
    """A new province's published figures for the period: the sum of its former provinces',
    when every one of them is published; else None. Rates are recomputed only where the
    households are published (never here), so a merged province carries counts alone."""
    formers = formers_of(new_code)
    rows = {
        r["code"]: r for r in figures() if r["period"] == period and r["level"] == "former_province"
    }
    if not formers or any(p.code not in rows for p in formers):
        return None
    parts = [rows[p.code] for p in formers]
    if len(parts) == 1:
        return _item(parts[0], code=new_code)
    summed = {
        name: sum(part[name] for part in parts) if all(part.get(name) is not None for part in parts)
        else None
        for name in COUNTS
    }  # fmt: skip
    keys = sorted({part["source"] for part in parts})
    return {
        "code": new_code,
        "name": units.province(new_code).name,
        **dict.fromkeys(FIGURES),
        **summed,
        "sources": [sources()[key].to_json() for key in keys],
        "formers": [p.code for p in formers],
    }


def provinces(period: int) -> list[dict[str, Any]]:
    """Every new province with published figures for the period, by code."""
    found = (province(period, p.code) for p in units.provinces())
    return [item for item in found if item is not None]


def _item(row: dict[str, Any], code: str | None = None) -> dict[str, Any]:
    code = code or row["code"]
    if row["level"] == "national":
        name = "Việt Nam"
    elif row["level"] == "region":
        name = next(r.vi for r in regions() if r.code == code)
    else:
        name = units.province(code).name
    return {
        "code": code,
        "name": name,
        **{name: row.get(name) for name in FIGURES},
        "sources": [sources()[row["source"]].to_json()],
        "note": row.get("note"),
    }
