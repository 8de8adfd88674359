"""How signed papers write a unit's place and a date (Decree 30/2020/NĐ-CP on administrative
documents, Phụ lục I): "Cửa Nam, ngày 05 tháng 02 năm 2026".

The place is the unit's name without its type ("Phường Cửa Nam" → "Cửa Nam", "Thành phố Hà Nội"
→ "Hà Nội"); the day below 10 and the months 1 and 2 take a leading zero, the others do not.
"""

from __future__ import annotations

from datetime import date

# Longest first, so "Thành phố" is not mistaken for a shorter prefix.
UNIT_TYPE_PREFIXES = ("thành phố", "đặc khu", "phường", "tỉnh", "xã")


def bare_name(name: str) -> str:
    """The unit's proper name, without the type it starts with (when it starts with one)."""
    for prefix in UNIT_TYPE_PREFIXES:
        if name[: len(prefix) + 1].lower() == f"{prefix} " and len(name) > len(prefix) + 1:
            return name[len(prefix) + 1 :].strip()
    return name.strip()


def date_parts(day: date) -> tuple[str, str, str]:
    """Day, month and year as the place-and-date line writes them: 5 February 2026 is
    ("05", "02", "2026"), 9 March ("09", "3", …), 24 November ("24", "11", …)."""
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return day_text, month_text, str(day.year)


def place_and_date_vi(place_name: str, day: date) -> str:
    """The Vietnamese place-and-date line: "Cửa Nam, ngày 24 tháng 11 năm 2026"."""
    d, m, y = date_parts(day)
    return f"{bare_name(place_name)}, ngày {d} tháng {m} năm {y}"
