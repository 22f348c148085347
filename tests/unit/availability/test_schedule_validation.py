"""A schedule with a bad entry is refused with that entry named."""

from datetime import UTC, datetime

from taas_availability.domain.problems import FieldProblem
from taas_availability.domain.schedule import DatedException, ExceptionKind, Schedule, WeeklyWindow
from taas_availability.domain.schedule_validation import validate_schedule

MONDAY, TUESDAY = 0, 1


def test_a_sound_schedule_has_no_problems() -> None:
    schedule = Schedule(
        "America/Chicago",
        (
            WeeklyWindow.of(MONDAY, "09:00", "12:00"),
            WeeklyWindow.of(MONDAY, "12:00", "17:00"),  # touching is not overlapping
            WeeklyWindow.of(MONDAY, "22:00", "24:00"),
            WeeklyWindow.of(TUESDAY, "00:00", "06:00"),
            WeeklyWindow.of(TUESDAY, "09:00", "17:00"),
        ),
        (
            DatedException(ExceptionKind.BLOCKED, datetime(2027, 7, 6, 12), datetime(2027, 7, 6, 13)),
            DatedException(
                ExceptionKind.EXTRA, datetime(2027, 7, 10, 9, tzinfo=UTC), datetime(2027, 7, 10, 11)
            ),
        ),
        on_call_until=datetime(2027, 7, 11, tzinfo=UTC),
        on_call_since=datetime(2027, 7, 10, tzinfo=UTC),
    )
    assert validate_schedule(schedule) == []


def test_an_unknown_time_zone_is_named() -> None:
    assert validate_schedule(Schedule("Mars/Base")) == [
        FieldProblem("time_zone", "unknown time zone 'Mars/Base'")
    ]


def test_overlapping_windows_name_both_entries() -> None:
    windows = (
        WeeklyWindow.of(MONDAY, "09:00", "12:00"),
        WeeklyWindow.of(TUESDAY, "09:00", "12:00"),
        WeeklyWindow.of(MONDAY, "13:00", "17:00"),
        WeeklyWindow.of(MONDAY, "11:00", "14:00"),
    )
    assert validate_schedule(Schedule("UTC", windows)) == [
        FieldProblem("windows[3]", "overlaps windows[0]"),
        FieldProblem("windows[3]", "overlaps windows[2]"),
    ]


def test_an_identical_window_twice_overlaps() -> None:
    window = WeeklyWindow.of(MONDAY, "09:00", "12:00")
    assert validate_schedule(Schedule("UTC", (window, window))) == [
        FieldProblem("windows[1]", "overlaps windows[0]")
    ]


def test_an_inverted_or_empty_window_is_named() -> None:
    windows = (
        WeeklyWindow.of(MONDAY, "09:00", "12:00"),
        WeeklyWindow.of(MONDAY, "22:00", "06:00"),
        WeeklyWindow.of(TUESDAY, "10:00", "10:00"),
    )
    problems = validate_schedule(Schedule("UTC", windows))
    assert [problem.field for problem in problems] == ["windows[1]", "windows[2]"]
    assert problems[0].message.startswith("end is before start")
    assert problems[1].message == "window is empty: end equals start"


def test_out_of_range_fields_name_the_field() -> None:
    windows = (WeeklyWindow(7, 0, 60), WeeklyWindow(MONDAY, -5, 60), WeeklyWindow(MONDAY, 600, 1441))
    assert validate_schedule(Schedule("UTC", windows)) == [
        FieldProblem("windows[0].weekday", "weekday must be 0 (Monday) to 6 (Sunday)"),
        FieldProblem("windows[1].start", "start must be between 00:00 and 23:59"),
        FieldProblem("windows[2].end", "end must be between 00:01 and 24:00"),
    ]


def test_a_malformed_window_is_not_also_reported_as_overlapping() -> None:
    windows = (WeeklyWindow.of(MONDAY, "09:00", "12:00"), WeeklyWindow(MONDAY, 600, 2000))
    assert [problem.field for problem in validate_schedule(Schedule("UTC", windows))] == ["windows[1].end"]


def test_exceptions_are_named_when_inverted_empty_or_of_unknown_kind() -> None:
    exceptions = (
        DatedException(ExceptionKind.EXTRA, datetime(2027, 7, 6, 12), datetime(2027, 7, 6, 13)),
        DatedException(ExceptionKind.BLOCKED, datetime(2027, 7, 6, 13), datetime(2027, 7, 6, 12)),
        DatedException(ExceptionKind.BLOCKED, datetime(2027, 7, 6, 13), datetime(2027, 7, 6, 13)),
        DatedException("vacation", datetime(2027, 7, 6, 12), datetime(2027, 7, 6, 13)),  # type: ignore[arg-type]
    )
    assert validate_schedule(Schedule("UTC", exceptions=exceptions)) == [
        FieldProblem("exceptions[1]", "end is before start"),
        FieldProblem("exceptions[2]", "exception is empty: end equals start"),
        FieldProblem("exceptions[3].kind", "kind must be one of 'blocked', 'extra'"),
    ]


def test_a_mixed_local_and_aware_exception_is_compared_in_the_provider_zone() -> None:
    # 12:00 local in Chicago (CDT) is 17:00Z, so ending at 16:00Z is before the start.
    inverted = DatedException(
        ExceptionKind.BLOCKED, datetime(2027, 7, 6, 12), datetime(2027, 7, 6, 16, tzinfo=UTC)
    )
    fine = DatedException(ExceptionKind.BLOCKED, datetime(2027, 7, 6, 12), datetime(2027, 7, 6, 18, tzinfo=UTC))
    assert validate_schedule(Schedule("America/Chicago", exceptions=(fine, inverted))) == [
        FieldProblem("exceptions[1]", "end is before start")
    ]
    # With an unknown zone the mixed pair cannot be compared; only the zone is reported.
    assert validate_schedule(Schedule("Mars/Base", exceptions=(inverted,))) == [
        FieldProblem("time_zone", "unknown time zone 'Mars/Base'")
    ]


def test_on_call_needs_aware_times_in_order() -> None:
    naive = Schedule("UTC", on_call_until=datetime(2027, 7, 6, 12))
    assert validate_schedule(naive) == [FieldProblem("on_call_until", "must carry a time zone (UTC offset)")]
    inverted = Schedule(
        "UTC",
        on_call_until=datetime(2027, 7, 6, 12, tzinfo=UTC),
        on_call_since=datetime(2027, 7, 6, 13, tzinfo=UTC),
    )
    assert validate_schedule(inverted) == [FieldProblem("on_call_until", "is not after on_call_since")]
    since_only = Schedule("UTC", on_call_since=datetime(2027, 7, 6, 13, tzinfo=UTC))
    assert validate_schedule(since_only) == [FieldProblem("on_call_since", "is set but on_call_until is not")]


def test_every_problem_is_reported_at_once() -> None:
    schedule = Schedule(
        "Mars/Base",
        (WeeklyWindow.of(MONDAY, "09:00", "12:00"), WeeklyWindow.of(MONDAY, "11:00", "13:00")),
        (DatedException(ExceptionKind.EXTRA, datetime(2027, 7, 6, 13), datetime(2027, 7, 6, 12)),),
    )
    assert [problem.field for problem in validate_schedule(schedule)] == [
        "time_zone",
        "windows[1]",
        "exceptions[0]",
    ]
