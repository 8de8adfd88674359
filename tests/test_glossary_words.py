"""The Vietnamese of both apps follows GLOSSARY.md the same way everywhere (issue 19 §1): one verb
for the verification step, Mẫu 04 under its full title, "thôn, bản, tổ dân phố" for villages,
"xã, phường, đặc khu" where units are listed, "nhà văn hóa thôn, tổ dân phố"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ROOT / "docs" / "guides"

# (what must not appear, why) — checked in every msgstr of both apps and in the guides.
FORBIDDEN = [
    (r"\bxác minh\b", "the verification step is 'thẩm định'"),
    (r"Giấy đề nghị thoát nghèo \(Mẫu số 04\)", "Mẫu 04 has a full title"),
    (r"\bxã, phường\b(?!, đặc khu)", "units are listed as 'xã, phường, đặc khu'"),
    (r"nhà văn hóa thôn\b(?!, tổ dân phố)", "'nhà văn hóa thôn, tổ dân phố'"),
    (r"\bthôn, tổ dân phố\b", "villages are 'thôn, bản, tổ dân phố'"),
    (r"người đứng đơn", "the UI says 'người đề nghị'"),
]
# Where "thôn, tổ dân phố" is right: the village house (bản have none by that name).
ALLOWED = re.compile(r"nhà văn hóa thôn, tổ dân phố|lưu tại thôn, tổ dân phố")


def messages(app: str) -> list[tuple[str, str]]:
    path = ROOT / app / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return [(m.id, m.string) for m in read_po(handle) if m.id and isinstance(m.string, str)]


def offences(text: str) -> list[str]:
    cleaned = ALLOWED.sub("", text)
    return [why for pattern, why in FORBIDDEN if re.search(pattern, cleaned, re.IGNORECASE)]


@pytest.mark.parametrize("app", ["node", "hub"])
def test_the_catalogues_use_the_glossarys_words(app):
    found = [f"{msgid[:50]!r}: {why}" for msgid, text in messages(app) for why in offences(text)]
    assert found == []


@pytest.mark.parametrize("name", sorted(p.name for p in GUIDES.glob("*.md")))
def test_the_guides_use_the_glossarys_words(name):
    # Sentences run over line breaks: read the page as one line of words.
    text = " ".join((GUIDES / name).read_text(encoding="utf-8").split())
    assert offences(text) == []


def test_the_officials_guides_say_anh_chi():
    for name in ("truong-thon.md", "cong-chuc-xa.md", "chu-tich-xa.md", "quan-tri-tinh.md"):
        text = (GUIDES / name).read_text(encoding="utf-8")
        assert not re.search(r"\bbạn\b", text, re.IGNORECASE), name


def test_the_check_catches_what_it_is_for():
    assert offences("UBND xã sẽ xác minh lại") == ["the verification step is 'thẩm định'"]
    assert offences("Chọn xã, phường từ danh sách.")
    assert offences("tại nhà văn hóa thôn và trụ sở")
    assert not offences("tại nhà văn hóa thôn, tổ dân phố và trụ sở UBND xã, phường, đặc khu")
