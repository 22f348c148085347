"""A provider's schedule: weekly windows in their own zone, dated exceptions, on-call, pause."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from taas_availability.domain.local_time import format_clock, parse_clock

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HUNDREDTHS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """Available every `weekday` (0=Monday..6=Sunday) from `start_minute` to `end_minute` local.

    Minutes count from local midnight; `end_minute` 1440 is 24:00, the end of the day. A window
    crossing midnight is written as two windows (Mon 22:00-24:00, Tue 00:00-06:00).
    """

    weekday: int
    start_minute: int
    end_minute: int

    @classmethod
    def of(cls, weekday: int, start: str, end: str) -> "WeeklyWindow":
        """A window from 'HH:MM' clock texts; raise ValueError on malformed text."""
        return cls(weekday, parse_clock(start), parse_clock(end))

    @property
    def start_text(self) -> str:
        """The start as 'HH:MM'."""
        return format_clock(self.start_minute)

    @property
    def end_text(self) -> str:
        """The end as 'HH:MM' (24:00 for end of day)."""
        return format_clock(self.end_minute)


class ExceptionKind(StrEnum):
    """Whether a dated exception takes time away from the schedule or adds to it."""

    BLOCKED = "blocked"
    EXTRA = "extra"


@dataclass(frozen=True, slots=True)
class DatedException:
    """A one-off change to the weekly schedule over [start, end).

    Naive datetimes are local wall-clock time in the provider's zone; aware ones are absolute.
    """

    kind: ExceptionKind
    start: datetime
    end: datetime
    exception_id: str | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything that decides when a provider can be dispatched.

    Precedence: paused > blocked exceptions > (weekly windows, extra exceptions, on call).
    On call counts as available from `on_call_since` (or, if unset, from any time) until
    `on_call_until`; both are aware datetimes.
    """

    time_zone: str
    windows: tuple[WeeklyWindow, ...] = ()
    exceptions: tuple[DatedException, ...] = ()
    on_call_until: datetime | None = None
    on_call_since: datetime | None = None
    paused: bool = False


def weekly_minutes(schedule: Schedule) -> int:
    """Scheduled minutes in a nominal week (no DST shifts), overlapping windows counted once."""
    covered_by_day: dict[int, list[tuple[int, int]]] = {}
    for window in schedule.windows:
        if window.start_minute < window.end_minute:
            covered_by_day.setdefault(window.weekday, []).append(
                (window.start_minute, window.end_minute)
            )
    total = 0
    for spans in covered_by_day.values():
        reached = 0
        for start, end in sorted(spans):
            total += max(0, end - max(start, reached))
            reached = max(reached, end)
    return total


def weekly_hours(schedule: Schedule) -> Decimal:
    """Scheduled hours in a nominal week, rounded down to the hundredth (never overstated)."""
    return (Decimal(weekly_minutes(schedule)) / 60).quantize(_HUNDREDTHS, rounding=ROUND_DOWN)
