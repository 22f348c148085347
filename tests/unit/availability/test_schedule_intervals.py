"""Weekly windows, exceptions, on call and pause turned into UTC intervals."""

from datetime import UTC, datetime, timedelta

import pytest

from taas_availability.domain.availability import available_intervals, is_available
from taas_availability.domain.schedule import (
    DatedException,
    ExceptionKind,
    Schedule,
    WeeklyWindow,
    weekly_hours,
    weekly_minutes,
)

MONDAY, TUESDAY, WEDNESDAY, SUNDAY = 0, 1, 2, 6


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def office_hours(zone: str, **changes: object) -> Schedule:
    """Monday to Friday 09:00-17:00 in `zone`."""
    windows = tuple(WeeklyWindow.of(day, "09:00", "17:00") for day in range(5))
    return Schedule(zone, windows, **changes)  # type: ignore[arg-type]


def test_office_hours_in_chicago_are_the_matching_utc_hours() -> None:
    # 2027-07-05 is a Monday; Chicago is on CDT (UTC-5) in July.
    intervals = available_intervals(office_hours("America/Chicago"), utc(2027, 7, 5), utc(2027, 7, 7))
    assert intervals == [
        (utc(2027, 7, 5, 14), utc(2027, 7, 5, 22)),
        (utc(2027, 7, 6, 14), utc(2027, 7, 6, 22)),
    ]


def test_intervals_are_clipped_to_the_asked_range() -> None:
    intervals = available_intervals(office_hours("America/Chicago"), utc(2027, 7, 5, 16), utc(2027, 7, 5, 18))
    assert intervals == [(utc(2027, 7, 5, 16), utc(2027, 7, 5, 18))]


def test_an_empty_or_inverted_range_has_no_intervals() -> None:
    schedule = office_hours("America/Chicago")
    assert available_intervals(schedule, utc(2027, 7, 5, 16), utc(2027, 7, 5, 16)) == []
    assert available_intervals(schedule, utc(2027, 7, 5, 18), utc(2027, 7, 5, 16)) == []


def test_naive_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        available_intervals(office_hours("UTC"), datetime(2027, 7, 5), utc(2027, 7, 6))
    with pytest.raises(ValueError, match="aware"):
        is_available(office_hours("UTC"), utc(2027, 7, 5), datetime(2027, 7, 6))


def test_windows_written_across_midnight_join_into_one_interval() -> None:
    schedule = Schedule(
        "America/Chicago",
        (WeeklyWindow.of(MONDAY, "22:00", "24:00"), WeeklyWindow.of(TUESDAY, "00:00", "06:00")),
    )
    intervals = available_intervals(schedule, utc(2027, 7, 5), utc(2027, 7, 8))
    assert intervals == [(utc(2027, 7, 6, 3), utc(2027, 7, 6, 11))]


def test_honolulu_evening_shift_crosses_midnight_utc() -> None:
    # Honolulu is UTC-10 all year: Monday 18:00-24:00 local is Tuesday 04:00-10:00 UTC.
    schedule = Schedule("Pacific/Honolulu", (WeeklyWindow.of(MONDAY, "18:00", "24:00"),))
    monday_utc_evening = (utc(2027, 7, 5, 22), utc(2027, 7, 6, 8))
    assert is_available(schedule, utc(2027, 7, 6, 4), utc(2027, 7, 6, 10))
    assert not is_available(schedule, *monday_utc_evening)
    assert available_intervals(schedule, *monday_utc_evening) == [(utc(2027, 7, 6, 4), utc(2027, 7, 6, 8))]


def test_a_utc_window_across_midnight_is_checked_against_two_berlin_days() -> None:
    # Berlin is UTC+2 in July. Tuesday 23:00Z - Wednesday 01:00Z is Wednesday 01:00-03:00 local.
    night_owl = Schedule("Europe/Berlin", (WeeklyWindow.of(WEDNESDAY, "00:00", "04:00"),))
    tuesday_late = Schedule("Europe/Berlin", (WeeklyWindow.of(TUESDAY, "20:00", "24:00"),))
    window = (utc(2027, 7, 6, 23), utc(2027, 7, 7, 1))
    assert is_available(night_owl, *window)
    assert not is_available(tuesday_late, *window)
    both = Schedule("Europe/Berlin", tuesday_late.windows + (WeeklyWindow.of(WEDNESDAY, "00:00", "00:30"),))
    assert available_intervals(both, *window) == []  # 22:00Z-22:30Z is outside the window
    assert is_available(both, utc(2027, 7, 6, 18), utc(2027, 7, 6, 22, 30))


def test_a_blocked_exception_cuts_into_weekly_windows() -> None:
    lunch = (datetime(2027, 7, 6, 12, 0), datetime(2027, 7, 6, 13, 30))  # local, CDT
    blocked = DatedException(ExceptionKind.BLOCKED, *lunch)
    schedule = office_hours("America/Chicago", exceptions=(blocked,))
    assert available_intervals(schedule, utc(2027, 7, 6), utc(2027, 7, 7)) == [
        (utc(2027, 7, 6, 14), utc(2027, 7, 6, 17)),
        (utc(2027, 7, 6, 18, 30), utc(2027, 7, 6, 22)),
    ]


def test_an_extra_exception_adds_time_and_an_aware_one_is_absolute() -> None:
    saturday = DatedException(ExceptionKind.EXTRA, utc(2027, 7, 10, 15), utc(2027, 7, 10, 19))
    schedule = office_hours("America/Chicago", exceptions=(saturday,))
    assert available_intervals(schedule, utc(2027, 7, 10), utc(2027, 7, 11)) == [
        (utc(2027, 7, 10, 15), utc(2027, 7, 10, 19))
    ]


def test_blocked_beats_extra_and_on_call() -> None:
    extra = DatedException(ExceptionKind.EXTRA, utc(2027, 7, 10, 10), utc(2027, 7, 10, 20))
    blocked = DatedException(ExceptionKind.BLOCKED, utc(2027, 7, 10, 12), utc(2027, 7, 10, 14))
    schedule = Schedule("UTC", exceptions=(blocked, extra), on_call_until=utc(2027, 7, 10, 13))
    assert available_intervals(schedule, utc(2027, 7, 10, 8), utc(2027, 7, 11)) == [
        (utc(2027, 7, 10, 8), utc(2027, 7, 10, 12)),
        (utc(2027, 7, 10, 14), utc(2027, 7, 10, 20)),
    ]


def test_on_call_counts_until_its_end_and_from_its_start_when_given() -> None:
    open_ended = Schedule("America/Chicago", on_call_until=utc(2027, 7, 10, 6))
    assert available_intervals(open_ended, utc(2027, 7, 9, 20), utc(2027, 7, 11)) == [
        (utc(2027, 7, 9, 20), utc(2027, 7, 10, 6))
    ]
    bounded = Schedule(
        "America/Chicago", on_call_until=utc(2027, 7, 10, 6), on_call_since=utc(2027, 7, 10, 1)
    )
    assert available_intervals(bounded, utc(2027, 7, 9, 20), utc(2027, 7, 11)) == [
        (utc(2027, 7, 10, 1), utc(2027, 7, 10, 6))
    ]
    assert not is_available(bounded, utc(2027, 7, 10, 5), utc(2027, 7, 10, 6, 1))


def test_on_call_joins_the_office_hours_it_touches() -> None:
    schedule = office_hours("America/Chicago", on_call_until=utc(2027, 7, 5, 14))
    assert available_intervals(schedule, utc(2027, 7, 5, 9), utc(2027, 7, 6)) == [
        (utc(2027, 7, 5, 9), utc(2027, 7, 5, 22))
    ]


def test_paused_is_never_available_whatever_else_says() -> None:
    extra = DatedException(ExceptionKind.EXTRA, utc(2027, 7, 10), utc(2027, 7, 11))
    schedule = office_hours(
        "America/Chicago", exceptions=(extra,), on_call_until=utc(2027, 8, 1), paused=True
    )
    assert available_intervals(schedule, utc(2027, 7, 1), utc(2027, 8, 1)) == []
    assert not is_available(schedule, utc(2027, 7, 5, 15), utc(2027, 7, 5, 16))


def test_is_available_needs_the_whole_window_covered() -> None:
    schedule = office_hours("America/Chicago")
    assert is_available(schedule, utc(2027, 7, 5, 14), utc(2027, 7, 5, 22))
    assert not is_available(schedule, utc(2027, 7, 5, 13, 59), utc(2027, 7, 5, 22))
    assert not is_available(schedule, utc(2027, 7, 5, 14), utc(2027, 7, 5, 22, 1))
    assert not is_available(schedule, utc(2027, 7, 5, 20), utc(2027, 7, 6, 16))  # spans the night
    with pytest.raises(ValueError, match="before its start"):
        is_available(schedule, utc(2027, 7, 5, 22), utc(2027, 7, 5, 14))


def test_is_available_accepts_bounds_in_any_zone() -> None:
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")  # Monday 14:00Z is Monday 23:00 in Tokyo
    start, end = datetime(2027, 7, 5, 23, tzinfo=tokyo), datetime(2027, 7, 6, 7, tzinfo=tokyo)
    assert is_available(office_hours("America/Chicago"), start, end)


def test_sixty_days_of_office_hours_give_one_interval_per_weekday() -> None:
    start = utc(2027, 7, 5)
    intervals = available_intervals(office_hours("America/Chicago"), start, start + timedelta(days=60))
    assert len(intervals) == 5 * 8 + 4  # eight full weeks, then Monday to Thursday
    assert all(end - begin == timedelta(hours=8) for begin, end in intervals)


def test_weekly_hours_count_each_minute_once() -> None:
    assert weekly_hours(office_hours("America/Chicago")) == 40
    overlapping = Schedule(
        "UTC", (WeeklyWindow.of(MONDAY, "09:00", "12:00"), WeeklyWindow.of(MONDAY, "11:00", "12:20"))
    )
    assert weekly_minutes(overlapping) == 200
    assert str(weekly_hours(overlapping)) == "3.33"  # 3 h 20 min, rounded down
    whole_sunday = Schedule("UTC", (WeeklyWindow.of(SUNDAY, "00:00", "24:00"),))
    assert weekly_hours(whole_sunday) == 24
    assert weekly_hours(Schedule("UTC")) == 0
