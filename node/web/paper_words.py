"""The unit's wording on every printed paper (certificate, minutes, posting list, decision),
after Decree 30/2020/NĐ-CP: the type comes from the unit itself (xã, phường, đặc khu), upper case in
the heading and the signing block, lower case mid-sentence ("Ủy ban nhân dân phường Cửa Nam"), and
the place-and-date line names the place without its type ("Cửa Nam, ngày 24 tháng 11 năm 2026").

One helper for all papers, so a ward never prints "XÃ" again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shared import units
from shared.paper_words import bare_name, date_parts

# The unit's type as the papers write it (lower case; the heading upper-cases it).
UNIT_TYPES = {"xã": _l("commune"), "phường": _l("ward"), "đặc khu": _l("special zone")}


@dataclass(frozen=True)
class UnitWords:
    """How a paper names its commune, ward or special zone."""

    heading: str  # ỦY BAN NHÂN DÂN PHƯỜNG CỬA NAM
    committee: str  # Ủy ban nhân dân phường Cửa Nam
    chair: str  # Chủ tịch Ủy ban nhân dân phường Cửa Nam
    signing_for: str  # TM. ỦY BAN NHÂN DÂN PHƯỜNG
    signing_title: str  # CHỦ TỊCH
    type_word: str  # phường
    in_sentence: str  # phường Cửa Nam
    place: str  # Cửa Nam
    province: str  # tỉnh Lai Châu · thành phố Hà Nội


def province_words(province_code: str) -> str:
    """The province as a residence line ends: "tỉnh Lai Châu", "thành phố Hà Nội"."""
    province = units.province(province_code)
    name = bare_name(province.name)
    if province.kind == "tỉnh":
        return _("%(name)s province", name=name)
    return _("%(name)s city", name=name)


def unit_words(commune_code: str) -> UnitWords:
    """The wording of the commune with this code, in the page's language."""
    commune = units.commune(commune_code)
    type_word = str(UNIT_TYPES.get(commune.kind, commune.kind))
    name = bare_name(commune.name)
    committee = _("People's Committee of %(name)s %(type)s", type=type_word, name=name)
    return UnitWords(
        heading=committee.upper(),
        committee=committee,
        chair=_("Chair of the People's Committee of %(name)s %(type)s", type=type_word, name=name),
        signing_for=_("ON BEHALF OF THE %(type)s PEOPLE'S COMMITTEE", type=type_word.upper()),
        signing_title=_("CHAIR"),
        type_word=type_word,
        in_sentence=_("%(name)s %(type)s", type=type_word, name=name),
        place=name,
        province=province_words(commune.province_code),
    )


def place_and_date(commune_code: str, day: date | None) -> str:
    """ "Cửa Nam, ngày 24 tháng 11 năm 2026" (Decree 30/2020's place-and-date line)."""
    place = bare_name(units.commune(commune_code).name)
    if day is None:  # a paper printed before its date is known: the date is written by hand
        return _("%(place)s, date … month … year …", place=place)
    d, m, y = date_parts(day)
    return _("%(place)s, %(day)s/%(month)s/%(year)s", place=place, day=d, month=m, year=y)


def residence_line(address: str | None, village: str | None, commune_code: str) -> str:
    """The certificate's "Nơi cư trú": house and street, village, commune, province — each once
    (an address the resident typed often repeats the village), the unit types in lower case."""
    commune = units.commune(commune_code)
    words = unit_words(commune_code)
    parts = [part.strip() for part in (address or "").split(",") if part.strip()]
    seen = {part.casefold() for part in parts}
    if village and village.strip().casefold() not in seen:
        parts.append(village.strip())
    commune_part = words.in_sentence
    if commune_part.casefold() not in seen and commune.name.casefold() not in seen:
        parts.append(commune_part)
    if words.province.casefold() not in seen:
        parts.append(words.province)
    return ", ".join(parts)


def init_app(app: Flask) -> None:
    """The helpers every paper template calls."""
    app.add_template_global(unit_words, "paper_unit")
    app.add_template_global(place_and_date, "place_and_date")
    app.add_template_global(residence_line, "residence_line")
