"""Interval arithmetic and great-circle distance behind the filters."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taas_dispatch.domain.geo import GeoPoint, haversine_km
from taas_dispatch.domain.time_windows import TimeWindow, covered_duration, covers, merge_windows, peak_concurrency

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def hours(start: float, end: float) -> TimeWindow:
    return TimeWindow(T0 + timedelta(hours=start), T0 + timedelta(hours=end))


windows = st.builds(
    lambda start, length: hours(start, start + length),
    st.integers(min_value=0, max_value=48),
    st.integers(min_value=1, max_value=12),
)


def test_a_window_must_end_after_it_starts_and_be_timezone_aware():
    with pytest.raises(ValueError, match="end after"):
        hours(2, 2)
    with pytest.raises(ValueError, match="timezone-aware"):
        TimeWindow(datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_merging_fuses_overlapping_and_touching_windows_only():
    assert merge_windows([hours(5, 6), hours(0, 2), hours(2, 3), hours(1, 2)]) == [hours(0, 3), hours(5, 6)]


def test_peak_concurrency_treats_touching_windows_as_not_overlapping():
    assert peak_concurrency([hours(0, 2), hours(2, 4)], within=hours(0, 4)) == 1
    assert peak_concurrency([hours(0, 3), hours(2, 4), hours(2, 5)], within=hours(0, 5)) == 3
    assert peak_concurrency([hours(0, 3), hours(2, 4)], within=hours(3, 5)) == 1


@given(st.lists(windows, max_size=6), windows)
def test_covering_means_the_covered_duration_is_the_whole_target(available, target):
    covered = covered_duration(available, target)
    assert covered <= target.duration
    assert covers(available, target) == (covered == target.duration)


@given(st.lists(windows, max_size=6), windows)
def test_peak_concurrency_is_bounded_by_the_overlapping_windows(engagements, within):
    overlapping = [w for w in engagements if w.overlaps(within)]
    peak = peak_concurrency(engagements, within)
    assert (peak == 0) == (not overlapping)
    assert peak <= len(overlapping)


def test_haversine_matches_known_distances():
    assert haversine_km(GeoPoint(0, 0), GeoPoint(1, 0)) == pytest.approx(111.195, abs=0.01)
    paris, london = GeoPoint(48.8566, 2.3522), GeoPoint(51.5074, -0.1278)
    assert haversine_km(paris, london) == pytest.approx(343.5, abs=1.0)
    assert haversine_km(paris, paris) == 0.0
    assert haversine_km(GeoPoint(0, 0), GeoPoint(0, 180)) == pytest.approx(20015.1, abs=1.0)


def test_a_point_outside_the_globe_is_refused():
    with pytest.raises(ValueError, match="latitude"):
        GeoPoint(91, 0)
    with pytest.raises(ValueError, match="longitude"):
        GeoPoint(0, -181)
