"""shared.moments: one spelling for datetimes read back from SQLite (naive) or PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.moments import as_utc, utc_naive

HANOI = timezone(timedelta(hours=7))
NAIVE = datetime(2026, 11, 28, 2, 30)


@pytest.mark.parametrize(
    "moment",
    [NAIVE, NAIVE.replace(tzinfo=UTC), datetime(2026, 11, 28, 9, 30, tzinfo=HANOI)],
    ids=["naive (SQLite)", "aware UTC", "aware Hà Nội"],
)
def test_every_spelling_of_one_moment_comes_out_the_same(moment):
    assert as_utc(moment) == NAIVE.replace(tzinfo=UTC)
    assert as_utc(moment).tzinfo is UTC
    assert utc_naive(moment) == NAIVE
    assert utc_naive(moment).tzinfo is None
