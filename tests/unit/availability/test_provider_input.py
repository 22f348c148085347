"""Input checks name each offending entry as it was sent (`windows[3]`), whatever else is wrong."""

from datetime import UTC, date, datetime, timedelta

from taas_availability.domain.credentials import Certification
from taas_availability.domain.problems import FieldProblem
from taas_availability.domain.provider_input import (RawWindow, check_exception, check_windows, on_call_problems,
                                                     profile_problems)
from taas_availability.domain.schedule import WeeklyWindow

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)


def test_good_windows_parse_into_the_domain_windows() -> None:
    windows, problems = check_windows("America/Chicago", [RawWindow(0, "08:00", "17:00"), RawWindow(1, "22:00", "24:00")])
    assert problems == []
    assert windows == (WeeklyWindow(0, 480, 1020), WeeklyWindow(1, 1320, 1440))


def test_problems_keep_the_index_sent_even_after_a_malformed_entry() -> None:
    _, problems = check_windows("America/Chicago", [
        RawWindow(0, "08:00", "12:00"), RawWindow(2, "8am", "12:00"), RawWindow(0, "11:00", "13:00"),
        RawWindow(3, "17:00", "09:00"), RawWindow(9, "09:00", "10:00")])
    assert [p.field for p in problems] == ["windows[1].start", "windows[2]", "windows[3]", "windows[4].day"]
    assert problems[1].message == "overlaps windows[0]"


def test_an_unknown_zone_is_named() -> None:
    _, problems = check_windows("Mars/Base", [])
    assert problems == [FieldProblem("time_zone", "unknown time zone 'Mars/Base'")]


def test_profile_terms_use_the_api_names() -> None:
    problems = profile_problems(roles=["ciso"], hourly_rate_cents=1, capacity=0, onsite_radius_km=-1,
                                certifications=[Certification("A", "B", None), Certification("a", "b", date(2030, 1, 1))],
                                clearances=[], time_zone="UTC")
    assert [p.field for p in problems] == ["capacity", "onsite.radius_km", "certifications[1]"]


def test_a_naive_exception_is_local_time_and_bounds_are_checked() -> None:
    start, end, problems = check_exception("America/Chicago", datetime(2027, 3, 14, 1), datetime(2027, 3, 14, 4), NOW)
    assert problems == []
    assert (start, end) == (datetime(2027, 3, 14, 7, tzinfo=UTC), datetime(2027, 3, 14, 9, tzinfo=UTC))  # DST day
    assert check_exception("UTC", NOW, NOW, NOW)[2] == [FieldProblem("end", "must be after start")]
    assert check_exception("UTC", NOW - timedelta(days=2), NOW - timedelta(days=1), NOW)[2][0].message == "is in the past"
    assert check_exception("UTC", NOW, NOW + timedelta(days=400), NOW)[2][0].field == "end"


def test_on_call_needs_an_aware_future_end_within_the_limit() -> None:
    assert on_call_problems(NOW + timedelta(hours=1), NOW, 60) == []
    assert on_call_problems(None, NOW, 60)[0].field == "on_call_until"
    assert on_call_problems(datetime(2027, 3, 11), NOW, 60)[0].message.startswith("must carry")
    assert on_call_problems(NOW, NOW, 60)[0].message == "must be in the future"
    assert on_call_problems(NOW + timedelta(days=61), NOW, 60)[0].message == "must be within 60 days"
