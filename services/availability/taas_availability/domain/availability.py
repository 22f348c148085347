"""When a provider can be dispatched: their schedule as merged UTC intervals."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from taas_availability.domain.intervals import Interval, clip, covers, merge, subtract
from taas_availability.domain.local_time import load_zone, resolve_minute, to_utc
from taas_availability.domain.schedule import ExceptionKind, Schedule, WeeklyWindow

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)


def available_intervals(
    schedule: Schedule, start_utc: datetime, end_utc: datetime
) -> list[Interval]:
    """The merged, sorted UTC intervals within [start_utc, end_utc) when the provider is available.

    Precedence: paused > blocked exceptions > (weekly windows, extra exceptions, on call).
    Local times resolve as `local_time` documents (DST gaps and repeats included).
    """
    _require_aware(start_utc, end_utc)
    if schedule.paused or end_utc <= start_utc:
        return []
    start_utc, end_utc = start_utc.astimezone(UTC), end_utc.astimezone(UTC)
    zone = load_zone(schedule.time_zone)
    granted: list[Interval] = list(_weekly_occurrences(schedule.windows, zone, start_utc, end_utc))
    granted.extend(_exception_intervals(schedule, ExceptionKind.EXTRA, zone))
    on_call = _on_call_interval(schedule, start_utc)
    if on_call is not None:
        granted.append(on_call)
    available = merge(clip(granted, start_utc, end_utc))
    blocked_spans = _exception_intervals(schedule, ExceptionKind.BLOCKED, zone)
    blocked = merge(clip(blocked_spans, start_utc, end_utc))
    return subtract(available, blocked) if blocked else available


def is_available(schedule: Schedule, start_utc: datetime, end_utc: datetime) -> bool:
    """True iff the provider is available for every minute of [start_utc, end_utc)."""
    _require_aware(start_utc, end_utc)
    if end_utc < start_utc:
        raise ValueError("window end is before its start")
    return covers(available_intervals(schedule, start_utc, end_utc), start_utc, end_utc)


def _weekly_occurrences(
    windows: tuple[WeeklyWindow, ...], zone: ZoneInfo, start_utc: datetime, end_utc: datetime
) -> Iterator[Interval]:
    """Each window's occurrence on every local date that can touch [start_utc, end_utc)."""
    by_weekday: dict[int, list[WeeklyWindow]] = {}
    for window in windows:
        by_weekday.setdefault(window.weekday, []).append(window)
    if not by_weekday:
        return
    # A day before the local start date: that day's windows can run to its 24:00.
    day = start_utc.astimezone(zone).date() - _ONE_DAY
    last_day = end_utc.astimezone(zone).date()
    day_start = resolve_minute(day, 0, zone)
    while day <= last_day:
        next_day = day + _ONE_DAY
        day_end = resolve_minute(next_day, 0, zone)
        todays_windows = by_weekday.get(day.weekday(), ())
        if todays_windows and _is_plain_day(day_start, day_end, zone):
            for window in todays_windows:
                yield (
                    day_start + timedelta(minutes=window.start_minute),
                    day_start + timedelta(minutes=window.end_minute),
                )
        else:
            for window in todays_windows:
                yield _occurrence(day, window, zone)
        day, day_start = next_day, day_end


def _is_plain_day(day_start: datetime, day_end: datetime, zone: ZoneInfo) -> bool:
    """True if local minutes of this day map to UTC by a constant offset (no DST change inside).

    Resolving every boundary through the zone costs about 2 us each. A day that starts at a real
    local midnight and lasts exactly 24 h has no transition inside it, as no zone in tzdata has
    changed its offset twice within 30 hours since 1970, so its boundaries are plain additions.
    """
    return day_end - day_start == _ONE_DAY and day_start.astimezone(zone).time() == _MIDNIGHT


def _occurrence(day: date, window: WeeklyWindow, zone: ZoneInfo) -> Interval:
    start = resolve_minute(day, window.start_minute, zone)
    return start, resolve_minute(day, window.end_minute, zone)


def _exception_intervals(schedule: Schedule, kind: ExceptionKind, zone: ZoneInfo) -> list[Interval]:
    return [
        (to_utc(exception.start, zone), to_utc(exception.end, zone))
        for exception in schedule.exceptions
        if exception.kind == kind
    ]


def _on_call_interval(schedule: Schedule, start_utc: datetime) -> Interval | None:
    if schedule.on_call_until is None:
        return None
    since = schedule.on_call_since if schedule.on_call_since is not None else start_utc
    return since.astimezone(UTC), schedule.on_call_until.astimezone(UTC)


def _require_aware(*moments: datetime) -> None:
    if any(moment.tzinfo is None or moment.utcoffset() is None for moment in moments):
        raise ValueError("window bounds must be aware datetimes (UTC)")
