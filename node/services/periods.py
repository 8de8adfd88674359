"""Which review period an application may be for (RULES §1, §5).

The period is the year the lists take effect. Regular (monthly) reviews work on the current year;
the yearly periodic review (1 September – 14 December by default) draws up next year's lists, so
during that window both years are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReviewWindow:
    """The yearly periodic review window, as (month, day) pairs, both ends included."""

    start: tuple[int, int] = (9, 1)
    end: tuple[int, int] = (12, 14)

    @classmethod
    def parse(cls, start: str, end: str) -> ReviewWindow:
        """From "MM-DD" strings, e.g. ("09-01", "12-14"); raises ValueError."""

        def month_day(text: str) -> tuple[int, int]:
            month, day = (int(part) for part in text.split("-"))
            date(2024, month, day)  # raises ValueError for 02-30 and the like; 2024 has a 29 Feb
            return month, day

        window = cls(month_day(start), month_day(end))
        if window.start > window.end:
            raise ValueError("the periodic review window must start before it ends")
        return window

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls within the periodic review."""
        return self.start <= (day.month, day.day) <= self.end


def current_period(today: date) -> int:
    """The period of regular reviews on ``today``: the current year."""
    return today.year


def accepted_periods(today: date, window: ReviewWindow) -> tuple[int, ...]:
    """The periods an application made on ``today`` may be for."""
    year = current_period(today)
    return (year, year + 1) if window.contains(today) else (year,)
