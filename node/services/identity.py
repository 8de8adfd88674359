"""Normalising what people type about themselves: names, citizen ID numbers, phone numbers."""

from __future__ import annotations

import re
import unicodedata

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0[0-9]{9,10}")
_CITIZEN_ID = re.compile(r"[0-9]{12}")
# Letters of any script, spaces, and the few marks names carry (Ka'Sô, Rơ-châm).
_NAME = re.compile(r"[^\W\d_]+(?:[ '\-][^\W\d_]+)*")
NAME_MAX_LENGTH = 100


def normalize_text(value: str) -> str:
    """NFC (one code point per Vietnamese letter) with runs of white space made single spaces.

    Phones type "ệ" either precomposed or as e + two combining marks; stored text is always NFC,
    so searches and duplicate checks see one spelling.
    """
    return " ".join(unicodedata.normalize("NFC", value).split())


def normalize_name(value: str) -> str | None:
    """A person's name as stored (``Nguyễn Thị Lan``), or None if it is not a plausible name."""
    name = normalize_text(value)
    if not name or len(name) > NAME_MAX_LENGTH or not _NAME.fullmatch(name):
        return None
    return name


def normalize_phone(value: str) -> str | None:
    """A Vietnamese phone number as ``0xxxxxxxxx`` (from +84…, spaces, dots), or None."""
    phone = _PHONE_SEPARATORS.sub("", value)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) == 11:
        phone = "0" + phone[2:]
    return phone if _PHONE.fullmatch(phone) else None


def normalize_citizen_id(value: str) -> str | None:
    """A 12-digit personal ID number (số định danh cá nhân), spaces removed, or None."""
    number = "".join(value.split())
    return number if _CITIZEN_ID.fullmatch(number) else None


# The longest word of a name kept for search (application_search_words.word).
SEARCH_WORD_MAX_LENGTH = 40
_WORD_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text as people type it on a phone keyboard without Vietnamese input: no tone or vowel
    marks, đ/Đ as d, lower case ("Nguyễn Văn Đức" → "nguyen van duc")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def name_words(name: str) -> set[str]:
    """The folded words of a name, as the search stores and looks them up."""
    return {word[:SEARCH_WORD_MAX_LENGTH] for word in _WORD_SEPARATORS.split(fold(name)) if word}
