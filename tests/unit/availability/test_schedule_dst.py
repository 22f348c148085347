"""The 2027 US DST changes: spring forward on 2027-03-14, fall back on 2027-11-07.

Chicago jumps from 02:00 CST to 03:00 CDT at 08:00Z and falls back from 02:00 CDT to 01:00 CST at
07:00Z. The chosen rule (see `local_time`): a skipped local time resolves to the moment the clock
jumps, a repeated one to its first occurrence; a window is the real time between its two ends.
"""

from datetime import UTC, datetime, timedelta

from taas_availability.domain.availability import available_intervals, is_available
from taas_availability.domain.schedule import DatedException, ExceptionKind, Schedule, WeeklyWindow

SATURDAY, SUNDAY = 5, 6


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def sunday_windows(zone: str, *spans: tuple[str, str]) -> Schedule:
    return Schedule(zone, tuple(WeeklyWindow.of(SUNDAY, start, end) for start, end in spans))


def hours(intervals: list[tuple[datetime, datetime]]) -> float:
    return sum((end - start for start, end in intervals), timedelta()) / timedelta(hours=1)


def test_spring_forward_sunday_is_23_hours_and_fall_back_sunday_is_25() -> None:
    whole_sunday = sunday_windows("America/Chicago", ("00:00", "24:00"))
    spring = available_intervals(whole_sunday, utc(2027, 3, 13), utc(2027, 3, 16))
    fall = available_intervals(whole_sunday, utc(2027, 11, 6), utc(2027, 11, 9))
    assert spring == [(utc(2027, 3, 14, 6), utc(2027, 3, 15, 5))]
    assert fall == [(utc(2027, 11, 7, 5), utc(2027, 11, 8, 6))]
    assert hours(spring) == 23
    assert hours(fall) == 25


def test_office_hours_stay_put_on_the_wall_clock_across_the_change() -> None:
    weekdays = Schedule("America/Chicago", tuple(WeeklyWindow.of(day, "09:00", "17:00") for day in range(5)))
    assert available_intervals(weekdays, utc(2027, 3, 12), utc(2027, 3, 16)) == [
        (utc(2027, 3, 12, 15), utc(2027, 3, 12, 23)),  # Friday, CST
        (utc(2027, 3, 15, 14), utc(2027, 3, 15, 22)),  # Monday, CDT
    ]
    assert available_intervals(weekdays, utc(2027, 11, 5), utc(2027, 11, 9)) == [
        (utc(2027, 11, 5, 14), utc(2027, 11, 5, 22)),  # Friday, CDT
        (utc(2027, 11, 8, 15), utc(2027, 11, 8, 23)),  # Monday, CST
    ]


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clock_jumps() -> None:
    schedule = sunday_windows("America/Chicago", ("02:30", "04:00"))
    assert available_intervals(schedule, utc(2027, 3, 14), utc(2027, 3, 15)) == [
        (utc(2027, 3, 14, 8), utc(2027, 3, 14, 9))  # 03:00-04:00 CDT
    ]


def test_a_window_inside_the_skipped_hour_does_not_happen() -> None:
    schedule = sunday_windows("America/Chicago", ("02:00", "02:30"))
    assert available_intervals(schedule, utc(2027, 3, 14), utc(2027, 3, 15)) == []
    # The following Sunday it is an ordinary half hour.
    assert available_intervals(schedule, utc(2027, 3, 21), utc(2027, 3, 22)) == [
        (utc(2027, 3, 21, 7), utc(2027, 3, 21, 7, 30))
    ]


def test_a_window_across_the_skipped_hour_loses_it() -> None:
    schedule = sunday_windows("America/Chicago", ("01:30", "03:30"))
    assert available_intervals(schedule, utc(2027, 3, 14), utc(2027, 3, 15)) == [
        (utc(2027, 3, 14, 7, 30), utc(2027, 3, 14, 8, 30))  # 01:30 CST to 03:30 CDT
    ]
    assert is_available(schedule, utc(2027, 3, 14, 7, 30), utc(2027, 3, 14, 8, 30))
    assert not is_available(schedule, utc(2027, 3, 14, 7, 30), utc(2027, 3, 14, 9))


def test_a_window_starting_at_the_repeated_0130_starts_at_its_first_occurrence() -> None:
    schedule = sunday_windows("America/Chicago", ("01:30", "02:30"))
    # From 01:30 CDT (06:30Z) to 02:30 CST (08:30Z): two real hours, both 01:30s inside.
    assert available_intervals(schedule, utc(2027, 11, 7), utc(2027, 11, 8)) == [
        (utc(2027, 11, 7, 6, 30), utc(2027, 11, 7, 8, 30))
    ]


def test_a_window_ending_at_the_repeated_0130_ends_at_its_first_occurrence() -> None:
    schedule = sunday_windows("America/Chicago", ("00:00", "01:30"))
    assert available_intervals(schedule, utc(2027, 11, 7), utc(2027, 11, 8)) == [
        (utc(2027, 11, 7, 5), utc(2027, 11, 7, 6, 30))
    ]
    # The second 01:30 (07:30Z, CST) is outside the window.
    assert not is_available(schedule, utc(2027, 11, 7, 7, 15), utc(2027, 11, 7, 7, 45))


def test_windows_meeting_at_the_repeated_time_tile_without_gap_or_overlap() -> None:
    schedule = sunday_windows("America/Chicago", ("00:00", "01:30"), ("01:30", "03:00"))
    assert available_intervals(schedule, utc(2027, 11, 7), utc(2027, 11, 8)) == [
        (utc(2027, 11, 7, 5), utc(2027, 11, 7, 9))  # three wall-clock hours, four real ones
    ]


def test_local_exceptions_resolve_by_the_same_rule() -> None:
    whole_sunday = (WeeklyWindow.of(SUNDAY, "00:00", "24:00"),)
    repeated_hour_blocked = Schedule(
        "America/Chicago",
        whole_sunday,
        (DatedException(ExceptionKind.BLOCKED, datetime(2027, 11, 7, 1, 0), datetime(2027, 11, 7, 2, 0)),),
    )
    # Blocks 01:00 CDT to 02:00 CST: both passes through the 01:00 hour.
    assert available_intervals(repeated_hour_blocked, utc(2027, 11, 7), utc(2027, 11, 9)) == [
        (utc(2027, 11, 7, 5), utc(2027, 11, 7, 6)),
        (utc(2027, 11, 7, 8), utc(2027, 11, 8, 6)),
    ]
    skipped_hour_blocked = Schedule(
        "America/Chicago",
        whole_sunday,
        (DatedException(ExceptionKind.BLOCKED, datetime(2027, 3, 14, 2, 15), datetime(2027, 3, 14, 2, 45)),),
    )
    # A block that never happens on the wall clock takes nothing away.
    assert is_available(skipped_hour_blocked, utc(2027, 3, 14, 6), utc(2027, 3, 15, 5))


def test_new_york_weekend_on_call_spans_the_change_in_real_hours() -> None:
    weekend = Schedule(
        "America/New_York",
        (WeeklyWindow.of(SATURDAY, "00:00", "24:00"), WeeklyWindow.of(SUNDAY, "00:00", "24:00")),
    )
    fall = available_intervals(weekend, utc(2027, 11, 5), utc(2027, 11, 10))
    spring = available_intervals(weekend, utc(2027, 3, 12), utc(2027, 3, 17))
    assert fall == [(utc(2027, 11, 6, 4), utc(2027, 11, 8, 5))]  # EDT start, EST end: 49 h
    assert spring == [(utc(2027, 3, 13, 5), utc(2027, 3, 15, 4))]  # EST start, EDT end: 47 h
    assert is_available(weekend, utc(2027, 11, 6, 4), utc(2027, 11, 8, 5))
    assert not is_available(weekend, utc(2027, 11, 6, 4), utc(2027, 11, 8, 5, 1))
    assert not is_available(weekend, utc(2027, 3, 13, 4, 59), utc(2027, 3, 14))
