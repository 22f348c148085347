"""Half-open UTC time windows and the interval arithmetic the filters need."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


def require_aware(moment: datetime, what: str) -> None:
    """Refuse naive datetimes: every instant in the domain must carry its offset."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment!r}")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A half-open interval [start, end) of instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware(self.start, "window start")
        require_aware(self.end, "window end")
        if self.end <= self.start:
            raise ValueError(f"window must end after it starts: {self.start} .. {self.end}")

    @property
    def duration(self) -> timedelta:
        """Length of the window."""
        return self.end - self.start

    def overlaps(self, other: "TimeWindow") -> bool:
        """True when the two windows share any instant."""
        return self.start < other.end and other.start < self.end

    def intersection(self, other: "TimeWindow") -> "TimeWindow | None":
        """The shared part of two windows, or None when they do not overlap."""
        if not self.overlaps(other):
            return None
        return TimeWindow(max(self.start, other.start), min(self.end, other.end))

    def contains(self, moment: datetime) -> bool:
        """True when `moment` lies inside the window."""
        return self.start <= moment < self.end


def merge_windows(windows: Iterable[TimeWindow]) -> list[TimeWindow]:
    """Sort and fuse overlapping or touching windows into a disjoint list."""
    merged: list[TimeWindow] = []
    for window in sorted(windows, key=lambda w: (w.start, w.end)):
        if merged and window.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = TimeWindow(last.start, max(last.end, window.end))
        else:
            merged.append(window)
    return merged


def covers(windows: Iterable[TimeWindow], target: TimeWindow) -> bool:
    """True when the union of `windows` contains all of `target` without a gap."""
    return any(
        merged.start <= target.start and target.end <= merged.end for merged in merge_windows(windows)
    )


def covered_duration(windows: Iterable[TimeWindow], target: TimeWindow) -> timedelta:
    """How much of `target` the union of `windows` covers (overlaps between windows counted once)."""
    total = timedelta()
    for merged in merge_windows(windows):
        shared = merged.intersection(target)
        if shared is not None:
            total += shared.duration
    return total


def peak_concurrency(windows: Sequence[TimeWindow], within: TimeWindow) -> int:
    """The largest number of `windows` that are simultaneously open at any instant of `within`."""
    edges: list[tuple[datetime, int]] = []
    for window in windows:
        shared = window.intersection(within)
        if shared is not None:
            edges.append((shared.start, 1))
            edges.append((shared.end, -1))
    # Ends sort before starts at the same instant: half-open windows that touch do not overlap.
    edges.sort(key=lambda edge: (edge[0], edge[1]))
    open_now = peak = 0
    for _, delta in edges:
        open_now += delta
        peak = max(peak, open_now)
    return peak
