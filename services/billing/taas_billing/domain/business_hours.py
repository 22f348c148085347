"""Split worked time at the agency's business-hours boundaries, in the agency's local time.

Boundaries are local wall-clock times (e.g. 09:00 and 17:00 on Monday to Friday) turned into UTC
instants day by day with the agency's time zone, so they move with daylight saving time. Durations
are always real elapsed time (UTC end minus UTC start): the night of the spring-forward change has
one hour less, the night of the fall-back change one hour more.

A business-hours boundary that falls in a DST gap or overlap is resolved with `fold=0`, the
zoneinfo default: a missing wall time is read with the offset in force before the change, and a
repeated wall time means its first occurrence.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = frozenset(range(7))  # date.weekday(): Monday is 0, Sunday is 6


@dataclass(frozen=True, slots=True)
class AgencyHours:
    """An agency's time zone and business hours: the same local window on each listed weekday."""

    time_zone: ZoneInfo
    weekdays: frozenset[int]
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not self.weekdays <= WEEKDAYS:
            raise ValueError(f"weekdays must be within 0 (Monday)..6 (Sunday): {sorted(self.weekdays)}")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes are local wall-clock times and must be naive")
        if not self.opens < self.closes:
            raise ValueError("business hours must open before they close on the same day")

    def business_window(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC instants at which business hours open and close on a local date, if any."""
        if day.weekday() not in self.weekdays:
            return None
        opens = datetime.combine(day, self.opens, tzinfo=self.time_zone).astimezone(UTC)
        closes = datetime.combine(day, self.closes, tzinfo=self.time_zone).astimezone(UTC)
        return opens, closes


@dataclass(frozen=True, slots=True)
class TimeEntry:
    """A stretch of logged work between two aware instants, end after start."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("time entries need timezone-aware instants")
        if not self.start < self.end:
            raise ValueError(f"time entry must end after it starts: {self.start} .. {self.end}")


@dataclass(frozen=True, slots=True)
class WorkedSpan:
    """A piece of a time entry lying wholly inside or wholly outside business hours (UTC)."""

    start: datetime
    end: datetime
    in_business_hours: bool


def split_at_business_hours(entry: TimeEntry, hours: AgencyHours) -> list[WorkedSpan]:
    """Cut one time entry into consecutive spans at every business-hours boundary it crosses."""
    start, end = entry.start.astimezone(UTC), entry.end.astimezone(UTC)
    spans: list[WorkedSpan] = []
    cursor = start
    for opens, closes in _business_windows(start, end, hours):
        if closes <= cursor or opens >= end:
            continue
        if cursor < opens:
            spans.append(WorkedSpan(cursor, opens, in_business_hours=False))
            cursor = opens
        inside_end = min(closes, end)
        spans.append(WorkedSpan(cursor, inside_end, in_business_hours=True))
        cursor = inside_end
    if cursor < end:
        spans.append(WorkedSpan(cursor, end, in_business_hours=False))
    return spans


def _business_windows(
    start: datetime, end: datetime, hours: AgencyHours
) -> Iterator[tuple[datetime, datetime]]:
    """Business windows, in order, of every local date the UTC interval touches (one day margin)."""
    day = start.astimezone(hours.time_zone).date() - timedelta(days=1)
    last_day = end.astimezone(hours.time_zone).date() + timedelta(days=1)
    while day <= last_day:
        window = hours.business_window(day)
        if window is not None:
            yield window
        day += timedelta(days=1)
