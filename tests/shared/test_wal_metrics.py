"""How far WAL archiving lags, from the names of the WAL files (shared/web/database_metrics.py)."""

import pytest

from shared.web.database_metrics import segment_number, unarchived_segments

MB16 = 16 * 1024 * 1024


@pytest.mark.parametrize(
    ("current", "archived", "pending"),
    [
        ("000000010000000000000005", "000000010000000000000004", 0),
        ("000000010000000000000005", "000000010000000000000001", 3),
        # Across the boundary of a "log" (256 segments of 16 MB).
        ("000000010000000100000001", "0000000100000000000000FE", 2),
        # A backup label or a partial file names its segment first.
        ("000000010000000000000009", "000000010000000000000008.00000028.backup", 0),
        # Nothing archived yet, or only a timeline's history file: no position to measure from.
        ("000000010000000000000009", None, None),
        ("000000020000000000000009", "00000002.history", None),
        # A standby has no current file of its own.
        (None, "000000010000000000000008", None),
    ],
)
def test_unarchived_segments(current, archived, pending):
    assert unarchived_segments(current, archived, MB16) == pending


def test_segment_numbers_depend_on_the_segment_size():
    assert segment_number("000000010000000100000000", MB16) == 256
    assert segment_number("000000010000000100000000", 64 * 1024 * 1024) == 64
