"""A tile map of the 34 provinces: one equal square per province in its rough place (no boundary
data for the 2025 provinces ships in a registry package), coloured by the poor and near-poor
household rate, each a link to the province's page. Read at a glance on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared import units

TILE = 46
GAP = 4
# (column, row, short label) of each province, north to south.
PLACES = {
    "12": (0, 0, "LCh"), "08": (2, 0, "TQ"), "04": (3, 0, "CB"),
    "11": (0, 1, "ĐB"), "15": (1, 1, "LCa"), "19": (2, 1, "TN"), "20": (3, 1, "LS"),
    "14": (0, 2, "SL"), "25": (1, 2, "PT"), "01": (2, 2, "HN"), "24": (3, 2, "BN"),
    "22": (4, 2, "QN"),
    "38": (1, 3, "TH"), "37": (2, 3, "NB"), "33": (3, 3, "HY"), "31": (4, 3, "HP"),
    "40": (1, 4, "NA"), "42": (2, 4, "HT"),
    "44": (2, 5, "QT"), "46": (3, 5, "Huế"),
    "48": (3, 6, "ĐN"),
    "51": (3, 7, "QNg"),
    "52": (3, 8, "GL"),
    "66": (3, 9, "ĐL"),
    "68": (2, 10, "LĐ"), "56": (3, 10, "KH"),
    "80": (1, 11, "TNi"), "75": (2, 11, "ĐNa"),
    "91": (0, 12, "AG"), "82": (1, 12, "ĐT"), "79": (2, 12, "HCM"),
    "92": (0, 13, "CT"), "86": (1, 13, "VL"),
    "96": (0, 14, "CM"),
}  # fmt: skip
# Upper bounds (%) of the colour classes of the poor and near-poor rate; the last is open.
BINS = (1.0, 3.0, 6.0, 10.0)


@dataclass(frozen=True)
class Tile:
    """One province's square."""

    code: str
    name: str
    label: str
    x: int
    y: int
    rate: float | None
    shade: str  # "none" or "0" … "4"


def shade_of(rate: float | None) -> str:
    """The colour class of a rate: none without figures, else 0 (lowest) to 4."""
    if rate is None:
        return "none"
    return str(sum(1 for bound in BINS if rate >= bound))


def tiles(rates: dict[str, float | None]) -> list[Tile]:
    """Every province's tile, with its rate (None: no figures)."""
    found = []
    for province in units.provinces():
        column, row, label = PLACES[province.code]
        rate = rates.get(province.code)
        found.append(
            Tile(
                code=province.code,
                name=province.name,
                label=label,
                x=column * (TILE + GAP),
                y=row * (TILE + GAP),
                rate=rate,
                shade=shade_of(rate),
            )
        )
    return found


def size() -> tuple[int, int]:
    """The map's width and height."""
    columns = max(place[0] for place in PLACES.values()) + 1
    rows = max(place[1] for place in PLACES.values()) + 1
    return columns * (TILE + GAP) - GAP, rows * (TILE + GAP) - GAP


def legend() -> list[tuple[str, Any, Any]]:
    """The colour classes: (shade, lower bound, upper bound)."""
    bounds = (0.0, *BINS)
    return [
        (str(index), low, bounds[index + 1] if index + 1 < len(bounds) else None)
        for index, low in enumerate(bounds)
    ]
