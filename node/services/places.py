"""The province's communes (from shared.units) and the villages this node keeps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.units import Village
from node.services.errors import NotFound
from shared import units


def commune_units(session: Session, province_code: str) -> list[dict[str, Any]]:
    """Every commune of the province as an API unit, ordered by code."""
    return [
        {
            "code": commune.code,
            "name": commune.name,
            "level": "commune",
            "parent_code": province_code,
            "area": commune.default_area,
        }
        for commune in units.communes(province_code)
    ]


def province_commune(province_code: str, commune_code: str) -> units.Commune:
    """The commune with this code if it belongs to the province; raises NotFound."""
    if not units.is_commune_code(commune_code):
        raise NotFound(f"No commune has the code {commune_code!r}.")
    commune = units.commune(commune_code)
    if commune.province_code != province_code:
        raise NotFound(f"The commune {commune_code} is not in this province.")
    return commune


def village_units(session: Session, province_code: str, commune_code: str) -> list[dict[str, Any]]:
    """The active villages of a commune of this province as API units, ordered by code."""
    commune = province_commune(province_code, commune_code)
    villages = session.scalars(
        select(Village)
        .where(Village.commune_code == commune.code, Village.active.is_(True))
        .order_by(Village.code)
    )
    return [
        {
            "code": village.code,
            "name": village.name,
            "level": "village",
            "parent_code": commune.code,
            "area": area_of(commune.code, village),
        }
        for village in villages
    ]


def add_village(session: Session, commune_code: str, name: str, area: str | None = None) -> Village:
    """A new village of a commune, numbered after the commune's last one (00070-001, -002, …)."""
    codes = session.scalars(select(Village.code).where(Village.commune_code == commune_code))
    number = max((int(code.rpartition("-")[2]) for code in codes), default=0) + 1
    village = Village(
        code=f"{commune_code}-{number:03d}", commune_code=commune_code, name=name, area=area
    )
    session.add(village)
    session.flush()
    return village


def area_of(commune_code: str, village: Village | None) -> str:
    """The household's area (which income line applies), as the node records its units: the
    village's own setting if the province admin gave one, else the commune's (phường urban, xã
    rural). Never the resident's answer (issue 14 §3)."""
    if village is not None and village.area is not None:
        return village.area
    return units.commune(commune_code).default_area


def area_at(session: Session, commune_code: str, village_id: int | None) -> str:
    """``area_of`` for a village known by its id (None: the commune's)."""
    village = session.get(Village, village_id) if village_id is not None else None
    return area_of(commune_code, village)


AREAS = ("rural", "urban")


def with_area(facts: Any, area: str) -> Any:
    """The facts with the units' area in place of the one answered (or with it, if none was).
    An answer that is no area at all (not rural or urban), or facts that are not an object,
    stay as they are, so the engine refuses them and names what is wrong."""
    if not isinstance(facts, dict) or facts.get("area", area) not in AREAS:
        return facts
    return {**facts, "area": area}


def village_unit(session: Session, village_id: int | None) -> dict[str, Any] | None:
    """The village with this id as an API unit (active or not), or None."""
    village = session.get(Village, village_id) if village_id is not None else None
    if village is None:
        return None
    return {
        "code": village.code,
        "name": village.name,
        "level": "village",
        "parent_code": village.commune_code,
        "area": area_of(village.commune_code, village),
    }
