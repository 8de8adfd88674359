"""Administrative units come from the vietnam-provinces package: 34 provinces, 3,321 communes."""

from __future__ import annotations

import pytest

from shared import units


def test_counts_after_the_2025_reform():
    assert len(units.provinces()) == 34
    assert len(units.communes()) == 3321
    assert sum(len(units.communes(p.code)) for p in units.provinces()) == 3321


def test_codes_are_zero_padded_strings():
    hanoi = units.province("01")
    assert hanoi.name == "Thành phố Hà Nội"
    ward = units.commune("00070")
    assert ward.name == "Phường Hoàn Kiếm"
    assert ward.province_code == "01"
    assert all(len(c.code) == 5 and c.code.isdigit() for c in units.communes())


def test_default_area_follows_the_kind_of_commune():
    kinds = {c.kind: c.default_area for c in units.communes()}
    assert kinds == {"phường": "urban", "xã": "rural", "đặc khu": "rural"}


@pytest.mark.parametrize("code", ["1", "99", 1, None, "00070"])
def test_unknown_province(code):
    assert not units.is_province_code(code)
    with pytest.raises(units.UnknownUnit):
        units.province(code)


@pytest.mark.parametrize("code", ["70", "99999", 70, None, "01"])
def test_unknown_commune(code):
    assert not units.is_commune_code(code)
    with pytest.raises(units.UnknownUnit):
        units.commune(code)


def test_communes_of_an_unknown_province():
    with pytest.raises(units.UnknownUnit):
        units.communes("00")
