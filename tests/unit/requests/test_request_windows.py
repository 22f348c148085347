"""Engagement windows: incidents from now, vacancies from local midnight, DST-correct."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from taas_requests.domain.validation import start_horizon_problems
from taas_requests.domain.windows import incident_window, vacancy_window

CHICAGO = ZoneInfo("America/Chicago")


def test_incident_window_runs_for_the_expected_hours() -> None:
    now = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert incident_window(now, 2.5) == (now, now + timedelta(hours=2, minutes=30))


def test_vacancy_window_is_local_midnight_to_local_midnight_across_dst() -> None:
    start, end = vacancy_window(date(2026, 3, 2), 2, CHICAGO)  # DST starts 2026-03-08 in Chicago
    assert start == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 16, 5, 0, tzinfo=UTC)
    assert end - start == timedelta(weeks=2) - timedelta(hours=1)


@pytest.mark.parametrize(("hours", "weeks"), [(0, 1), (-1, 1)])
def test_windows_refuse_empty_lengths(hours: float, weeks: int) -> None:
    with pytest.raises(ValueError):
        incident_window(datetime(2026, 1, 1, tzinfo=UTC), hours)
    with pytest.raises(ValueError):
        vacancy_window(date(2026, 1, 1), weeks - 1, CHICAGO)


@pytest.mark.parametrize(("days", "ok"), [(0, True), (730, True), (731, False)])
def test_vacancy_start_within_two_years(days: int, ok: bool) -> None:
    today = date(2026, 1, 1)
    assert (start_horizon_problems(today + timedelta(days=days), today) == []) is ok
