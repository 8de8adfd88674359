"""Vietnam's administrative units after the 2025 reform: 34 provinces and 3,321 communes.

Provinces and communes come from the ``vietnam-provinces`` package (two-level local government:
no district level since 1 July 2025). Villages (thôn, bản, tổ dân phố) are not in any national
list; each node manages its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from vietnam_provinces import Province as _Province
from vietnam_provinces import VietNamDivisionType
from vietnam_provinces import Ward as _Ward

Area = Literal["rural", "urban"]

# Wards (phường) are urban; communes (xã) and special zones (đặc khu) are rural unless a node
# says otherwise — the area decides which income line applies, so nodes may override it.
_DEFAULT_AREA: dict[VietNamDivisionType, Area] = {
    VietNamDivisionType.PHUONG: "urban",
    VietNamDivisionType.XA: "rural",
    VietNamDivisionType.DAC_KHU: "rural",
}


@dataclass(frozen=True, slots=True)
class Province:
    """A province or centrally-run city."""

    code: str  # two digits, e.g. "01"
    name: str
    kind: str  # "tỉnh" or "thành phố trung ương"


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune, ward or special zone (xã, phường, đặc khu)."""

    code: str  # five digits, e.g. "00070"
    name: str
    kind: str  # "xã", "phường" or "đặc khu"
    province_code: str
    default_area: Area


class UnknownUnit(LookupError):
    """No province or commune has that code."""


def _province_code(value: int) -> str:
    return f"{int(value):02d}"


def _commune_code(value: int) -> str:
    return f"{int(value):05d}"


@cache
def _provinces() -> dict[str, Province]:
    items = (
        Province(_province_code(p.code), p.name, p.division_type.value)
        for p in _Province.iter_all()
    )
    return {p.code: p for p in sorted(items, key=lambda p: p.code)}


@cache
def _communes() -> dict[str, Commune]:
    items = (
        Commune(
            code=_commune_code(w.code),
            name=w.name,
            kind=w.division_type.value,
            province_code=_province_code(w.province_code),
            default_area=_DEFAULT_AREA[w.division_type],
        )
        for w in _Ward.iter_all()
    )
    return {c.code: c for c in sorted(items, key=lambda c: c.code)}


@cache
def _communes_by_province() -> dict[str, tuple[Commune, ...]]:
    grouped: dict[str, list[Commune]] = {code: [] for code in _provinces()}
    for commune in _communes().values():
        grouped[commune.province_code].append(commune)
    return {code: tuple(items) for code, items in grouped.items()}


def provinces() -> tuple[Province, ...]:
    """All 34 provinces, ordered by code."""
    return tuple(_provinces().values())


def province(code: str) -> Province:
    """The province with this two-digit code; raises UnknownUnit."""
    try:
        return _provinces()[code]
    except (KeyError, TypeError):
        raise UnknownUnit(f"unknown province code {code!r}") from None


def communes(province_code: str | None = None) -> tuple[Commune, ...]:
    """Every commune, or those of one province, ordered by code."""
    if province_code is None:
        return tuple(_communes().values())
    province(province_code)
    return _communes_by_province()[province_code]


def commune(code: str) -> Commune:
    """The commune with this five-digit code; raises UnknownUnit."""
    try:
        return _communes()[code]
    except (KeyError, TypeError):
        raise UnknownUnit(f"unknown commune code {code!r}") from None


def is_province_code(code: object) -> bool:
    """Whether ``code`` names one of the 34 provinces."""
    return isinstance(code, str) and code in _provinces()


def is_commune_code(code: object) -> bool:
    """Whether ``code`` names one of the 3,321 communes."""
    return isinstance(code, str) and code in _communes()
