"""Checks a schedule and names each offending entry by its field path."""

from datetime import datetime
from zoneinfo import ZoneInfo

from taas_availability.domain.local_time import MINUTES_PER_DAY, load_zone, to_utc
from taas_availability.domain.problems import FieldProblem
from taas_availability.domain.schedule import (
    DatedException,
    ExceptionKind,
    Schedule,
    WeeklyWindow,
)


def validate_schedule(schedule: Schedule) -> list[FieldProblem]:
    """Every problem in `schedule`, each naming its entry (`windows[3]`); empty if it is valid."""
    problems: list[FieldProblem] = []
    zone: ZoneInfo | None = None
    try:
        zone = load_zone(schedule.time_zone)
    except LookupError:
        problems.append(FieldProblem("time_zone", f"unknown time zone {schedule.time_zone!r}"))
    problems.extend(_window_problems(schedule.windows))
    for index, exception in enumerate(schedule.exceptions):
        problems.extend(_exception_problems(f"exceptions[{index}]", exception, zone))
    problems.extend(_on_call_problems(schedule))
    return problems


def _window_problems(windows: tuple[WeeklyWindow, ...]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    well_formed: list[tuple[int, WeeklyWindow]] = []
    for index, window in enumerate(windows):
        path = f"windows[{index}]"
        own = _single_window_problems(path, window)
        problems.extend(own)
        if not own:
            well_formed.append((index, window))
    for position, (index, window) in enumerate(well_formed):
        for earlier_index, earlier in well_formed[:position]:
            if (
                earlier.weekday == window.weekday
                and earlier.start_minute < window.end_minute
                and window.start_minute < earlier.end_minute
            ):
                problems.append(
                    FieldProblem(f"windows[{index}]", f"overlaps windows[{earlier_index}]")
                )
    return problems


def _single_window_problems(path: str, window: WeeklyWindow) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not 0 <= window.weekday <= 6:
        problems.append(
            FieldProblem(f"{path}.weekday", "weekday must be 0 (Monday) to 6 (Sunday)")
        )
    if not 0 <= window.start_minute < MINUTES_PER_DAY:
        problems.append(FieldProblem(f"{path}.start", "start must be between 00:00 and 23:59"))
    if not 0 < window.end_minute <= MINUTES_PER_DAY:
        problems.append(FieldProblem(f"{path}.end", "end must be between 00:01 and 24:00"))
    if problems:
        return problems
    if window.end_minute < window.start_minute:
        problems.append(
            FieldProblem(path, "end is before start (write a window crossing midnight as two)")
        )
    elif window.end_minute == window.start_minute:
        problems.append(FieldProblem(path, "window is empty: end equals start"))
    return problems


def _exception_problems(
    path: str, exception: DatedException, zone: ZoneInfo | None
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if exception.kind not in tuple(ExceptionKind):
        kinds = ", ".join(repr(kind.value) for kind in ExceptionKind)
        problems.append(FieldProblem(f"{path}.kind", f"kind must be one of {kinds}"))
    start, end = _comparable(exception.start, exception.end, zone)
    if start is not None and end is not None:
        if end < start:
            problems.append(FieldProblem(path, "end is before start"))
        elif end == start:
            problems.append(FieldProblem(path, "exception is empty: end equals start"))
    return problems


def _comparable(
    start: datetime, end: datetime, zone: ZoneInfo | None
) -> tuple[datetime | None, datetime | None]:
    """Start and end in a form that can be compared, or None where the zone is unknown."""
    if (start.tzinfo is None) == (end.tzinfo is None):
        return start, end
    if zone is None:
        return None, None
    return to_utc(start, zone), to_utc(end, zone)


def _on_call_problems(schedule: Schedule) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    until, since = schedule.on_call_until, schedule.on_call_since
    if until is not None and until.tzinfo is None:
        problems.append(FieldProblem("on_call_until", "must carry a time zone (UTC offset)"))
    if since is not None and since.tzinfo is None:
        problems.append(FieldProblem("on_call_since", "must carry a time zone (UTC offset)"))
    if since is not None and until is None:
        problems.append(FieldProblem("on_call_since", "is set but on_call_until is not"))
    if problems or since is None or until is None:
        return problems
    if until <= since:
        problems.append(FieldProblem("on_call_until", "is not after on_call_since"))
    return problems
