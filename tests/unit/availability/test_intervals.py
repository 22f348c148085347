"""Interval arithmetic checked against plain sets of minutes."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from taas_availability.domain.intervals import clip, covers, merge, subtract

EPOCH = datetime(2027, 1, 1, tzinfo=UTC)


def at(minute: int) -> datetime:
    return EPOCH + timedelta(minutes=minute)


def minute_set(intervals: list[tuple[datetime, datetime]]) -> set[int]:
    return {
        minute
        for start, end in intervals
        for minute in range((start - EPOCH) // timedelta(minutes=1), (end - EPOCH) // timedelta(minutes=1))
    }


spans = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 200)).map(lambda pair: (at(pair[0]), at(pair[1]))),
    max_size=8,
)


@settings(max_examples=150)
@given(spans, spans)
def test_merge_and_subtract_match_set_arithmetic(first: list, second: list) -> None:
    kept, removed = merge(first), merge(second)
    assert minute_set(kept) == minute_set(first)
    assert all(a < b for a, b in kept)
    assert all(earlier[1] < later[0] for earlier, later in zip(kept, kept[1:]))
    assert minute_set(subtract(kept, removed)) == minute_set(first) - minute_set(second)


@settings(max_examples=150)
@given(spans, st.integers(0, 200), st.integers(0, 200))
def test_clip_and_covers_match_set_arithmetic(intervals: list, low: int, high: int) -> None:
    merged = merge(intervals)
    assert minute_set(clip(merged, at(low), at(high))) == minute_set(merged) & set(range(low, high))
    assert covers(merged, at(low), at(high)) == set(range(low, high)).issubset(minute_set(merged))


def test_touching_intervals_merge_into_one() -> None:
    assert merge([(at(5), at(10)), (at(0), at(5))]) == [(at(0), at(10))]
