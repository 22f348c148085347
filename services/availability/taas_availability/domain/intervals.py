"""Half-open UTC intervals [start, end): merging, clipping, subtracting, covering."""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime

Interval = tuple[datetime, datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same instants; touching intervals are joined."""
    merged: list[Interval] = []
    for start, end in sorted(interval for interval in intervals if interval[0] < interval[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of `intervals` inside [start, end), dropping what becomes empty."""
    clipped = ((max(a, start), min(b, end)) for a, b in intervals)
    return [(a, b) for a, b in clipped if a < b]


def subtract(kept: Sequence[Interval], removed: Sequence[Interval]) -> list[Interval]:
    """`kept` minus `removed`; both sorted and disjoint (as `merge` returns them)."""
    result: list[Interval] = []
    index = 0
    for start, end in kept:
        while index < len(removed) and removed[index][1] <= start:
            index += 1
        cursor = start
        scan = index
        while scan < len(removed) and removed[scan][0] < end:
            hole_start, hole_end = removed[scan]
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            scan += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def covers(intervals: Sequence[Interval], start: datetime, end: datetime) -> bool:
    """True iff sorted disjoint merged `intervals` contain all of [start, end) (empty: True)."""
    if start >= end:
        return True
    position = bisect_right(intervals, start, key=_interval_start) - 1
    return position >= 0 and intervals[position][0] <= start and end <= intervals[position][1]


def _interval_start(interval: Interval) -> datetime:
    return interval[0]
