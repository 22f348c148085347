"""Property tests: the schedule arithmetic against a brute-force minute-by-minute oracle.

The oracle knows nothing of `fold` or of plain days: it lists the wall-clock reading of every UTC
minute around the moment under test and resolves a local time to the first minute whose reading
is at or past it (the documented rule), then marks minute by minute what is covered.
"""

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taas_availability.domain.availability import available_intervals, is_available
from taas_availability.domain.local_time import load_zone
from taas_availability.domain.schedule import DatedException, ExceptionKind, Schedule, WeeklyWindow
from taas_availability.domain.schedule_validation import validate_schedule

MINUTE = timedelta(minutes=1)
TIMELINE_REACH = timedelta(days=6)
ORDINARY_MONDAY = datetime(2027, 7, 5, tzinfo=UTC)
# Each zone with the moments its clocks change in 2027 (and an ordinary day).
ANCHORS: dict[str, tuple[datetime, ...]] = {
    "America/Chicago": (
        datetime(2027, 3, 14, 8, tzinfo=UTC),
        datetime(2027, 11, 7, 7, tzinfo=UTC),
        ORDINARY_MONDAY,
    ),
    "America/New_York": (datetime(2027, 3, 14, 7, tzinfo=UTC), datetime(2027, 11, 7, 6, tzinfo=UTC)),
    "Europe/Berlin": (datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 10, 31, 1, tzinfo=UTC)),
    "Australia/Lord_Howe": (datetime(2027, 4, 3, 15, tzinfo=UTC), datetime(2027, 10, 2, 15, 30, tzinfo=UTC)),
    "Pacific/Honolulu": (ORDINARY_MONDAY,),
    "Asia/Kathmandu": (ORDINARY_MONDAY,),
    "UTC": (ORDINARY_MONDAY,),
}
ANCHOR_CHOICES = [(zone, anchor) for zone, anchors in sorted(ANCHORS.items()) for anchor in anchors]
CLOCK_CHANGES = [(zone, anchor) for zone, anchor in ANCHOR_CHOICES if anchor != ORDINARY_MONDAY]
# Boundaries in and around the hours the clocks change are likelier to find DST mistakes.
clock_minutes = st.one_of(
    st.integers(0, 1440), st.sampled_from([0, 60, 90, 105, 120, 135, 150, 165, 180, 1380, 1440])
)


@st.composite
def weekly_windows(
    draw: st.DrawFn, weekdays: list[int], clock: st.SearchStrategy[int]
) -> tuple[WeeklyWindow, ...]:
    """Up to eight windows, mostly on `weekdays`, with no two overlapping on the same weekday."""
    kept: list[WeeklyWindow] = []
    for _ in range(draw(st.integers(1, 8))):
        first, second = draw(clock), draw(clock)
        if first == second:
            continue
        weekday = draw(st.one_of(st.sampled_from(weekdays), st.integers(0, 6)))
        window = WeeklyWindow(weekday, min(first, second), max(first, second))
        if not any(
            other.weekday == window.weekday
            and other.start_minute < window.end_minute
            and window.start_minute < other.end_minute
            for other in kept
        ):
            kept.append(window)
    return tuple(kept)


@st.composite
def scenarios(
    draw: st.DrawFn, around_clock_change: bool = False
) -> tuple[Schedule, datetime, datetime, datetime]:
    """A valid schedule, the anchor it was drawn around, and a query range near that anchor.

    Around a clock change, the query spans the change and the windows sit on its local weekday
    with their ends in the local hours around it, where DST mistakes show.
    """
    zone_key, anchor = draw(st.sampled_from(CLOCK_CHANGES if around_clock_change else ANCHOR_CHOICES))
    zone = load_zone(zone_key)
    if around_clock_change:
        query_start = anchor - timedelta(minutes=draw(st.integers(0, 300)))
        query_end = anchor + timedelta(minutes=draw(st.integers(1, 300)))
        weekdays = [anchor.astimezone(zone).weekday()]
        local_before, local_after = (
            (anchor + shift).astimezone(zone) for shift in (-90 * MINUTE, 90 * MINUTE)
        )
        clock = st.integers(
            local_before.hour * 60 + local_before.minute, local_after.hour * 60 + local_after.minute
        )
    else:
        query_start = anchor + timedelta(minutes=draw(st.integers(-2 * 1440, 2 * 1440)))
        query_end = query_start + timedelta(minutes=draw(st.integers(1, 1440)))
        first_day = query_start.astimezone(zone).date()
        weekdays = sorted({(first_day + timedelta(days=shift)).weekday() for shift in (-1, 0, 1)})
        clock = clock_minutes
    length = (query_end - query_start) // MINUTE
    local_start = query_start.astimezone(zone).replace(tzinfo=None)
    exceptions = []
    for _ in range(draw(st.integers(0, 3))):
        base = local_start if draw(st.booleans()) else query_start  # naive local or aware UTC
        start = base + timedelta(minutes=draw(st.integers(-600, length + 600)))
        exception_length = timedelta(minutes=draw(st.integers(1, 600)))
        kind = draw(st.sampled_from(ExceptionKind))
        exceptions.append(DatedException(kind, start, start + exception_length))
    on_call_until = on_call_since = None
    if draw(st.sampled_from([False, False, False, True])):
        on_call_until = query_start + timedelta(minutes=draw(st.integers(-600, length + 600)))
        if draw(st.booleans()):
            on_call_since = on_call_until - timedelta(minutes=draw(st.integers(1, 1440)))
    schedule = Schedule(
        zone_key,
        draw(weekly_windows(weekdays, clock)),
        tuple(exceptions),
        on_call_until,
        on_call_since,
        paused=draw(st.sampled_from([False] * 19 + [True])),
    )
    return schedule, anchor, query_start, query_end


@lru_cache(maxsize=32)
def wall_clock_timeline(zone_key: str, anchor: datetime) -> tuple[datetime, list[datetime]]:
    """The first minute of the timeline and the running maximum of the wall clock per minute."""
    zone = load_zone(zone_key)
    first = anchor - TIMELINE_REACH
    readings = (
        (first + index * MINUTE).astimezone(zone).replace(tzinfo=None)
        for index in range(2 * TIMELINE_REACH // MINUTE)
    )
    return first, list(accumulate(readings, max))


def oracle_resolve(zone_key: str, anchor: datetime, local: datetime) -> datetime:
    """The first timeline minute whose wall-clock reading is `local` or later."""
    first, running_max = wall_clock_timeline(zone_key, anchor)
    index = bisect_left(running_max, local)
    assert 0 < index < len(running_max), "oracle timeline too short"
    return first + index * MINUTE


def oracle_minutes(schedule: Schedule, anchor: datetime, start: datetime, end: datetime) -> list[bool]:
    """For each minute of [start, end): is the provider available, by brute force."""
    zone_key, zone = schedule.time_zone, load_zone(schedule.time_zone)

    def instant(moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return oracle_resolve(zone_key, anchor, moment)
        return moment.astimezone(UTC)

    granted: list[tuple[datetime, datetime]] = []
    day = start.astimezone(zone).date() - timedelta(days=2)
    while day <= end.astimezone(zone).date() + timedelta(days=1):
        for window in schedule.windows:
            if window.weekday == day.weekday():
                midnight = datetime.combine(day, datetime.min.time())
                granted.append(
                    (
                        instant(midnight + window.start_minute * MINUTE),
                        instant(midnight + window.end_minute * MINUTE),
                    )
                )
        day += timedelta(days=1)
    blocked = []
    for exception in schedule.exceptions:
        span = (instant(exception.start), instant(exception.end))
        (blocked if exception.kind == ExceptionKind.BLOCKED else granted).append(span)
    if schedule.on_call_until is not None:
        granted.append((schedule.on_call_since or datetime.min.replace(tzinfo=UTC), schedule.on_call_until))

    def marked(spans: list[tuple[datetime, datetime]]) -> list[bool]:
        minutes = [False] * ((end - start) // MINUTE)
        for index in range(len(minutes)):
            minute = start + index * MINUTE
            minutes[index] = any(a <= minute < b for a, b in spans if a < end and b > start)
        return minutes

    if schedule.paused:
        return [False] * ((end - start) // MINUTE)
    return [g and not b for g, b in zip(marked(granted), marked(blocked))]


def minutes_of(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> list[bool]:
    covered = [False] * ((end - start) // MINUTE)
    for interval_start, interval_end in intervals:
        assert (interval_start - start) % MINUTE == timedelta(0)
        assert (interval_end - start) % MINUTE == timedelta(0)
        for index in range((interval_start - start) // MINUTE, (interval_end - start) // MINUTE):
            covered[index] = True
    return covered


PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(scenarios())
def test_available_intervals_cover_exactly_the_minutes_the_oracle_finds(
    scenario: tuple[Schedule, datetime, datetime, datetime],
) -> None:
    schedule, anchor, start, end = scenario
    assert validate_schedule(schedule) == []
    intervals = available_intervals(schedule, start, end)
    assert minutes_of(intervals, start, end) == oracle_minutes(schedule, anchor, start, end)


@PROPERTY_SETTINGS
@given(scenarios(around_clock_change=True))
def test_around_clock_changes_intervals_cover_exactly_the_minutes_the_oracle_finds(
    scenario: tuple[Schedule, datetime, datetime, datetime],
) -> None:
    schedule, anchor, start, end = scenario
    assert validate_schedule(schedule) == []
    intervals = available_intervals(schedule, start, end)
    assert minutes_of(intervals, start, end) == oracle_minutes(schedule, anchor, start, end)


@PROPERTY_SETTINGS
@given(st.booleans().flatmap(lambda around: scenarios(around_clock_change=around)))
def test_intervals_are_sorted_disjoint_merged_and_inside_the_range(
    scenario: tuple[Schedule, datetime, datetime, datetime],
) -> None:
    schedule, _, start, end = scenario
    intervals = available_intervals(schedule, start, end)
    assert all(start <= a < b <= end for a, b in intervals)
    assert all(earlier[1] < later[0] for earlier, later in zip(intervals, intervals[1:]))


@PROPERTY_SETTINGS
@given(st.booleans().flatmap(lambda around: scenarios(around_clock_change=around)), st.data())
def test_a_window_is_available_iff_every_minute_of_it_is_covered(
    scenario: tuple[Schedule, datetime, datetime, datetime], data: st.DataObject
) -> None:
    schedule, anchor, start, end = scenario
    covered = oracle_minutes(schedule, anchor, start, end)
    runs = [index for index, minute in enumerate(covered) if minute]
    if runs and data.draw(st.booleans(), label="inside a covered minute"):
        # Grow a window around a covered minute so that True answers are tested too.
        first = last = data.draw(st.sampled_from(runs), label="seed minute")
        while first > 0 and covered[first - 1] and data.draw(st.booleans()):
            first -= 1
        while last + 1 < len(covered) and covered[last + 1] and data.draw(st.booleans()):
            last += 1
        last += data.draw(st.integers(0, 1), label="one minute more")
        last = min(last, len(covered) - 1)
    else:
        first = data.draw(st.integers(0, len(covered) - 1), label="first minute")
        last = data.draw(st.integers(first, len(covered) - 1), label="last minute")
    window_start, window_end = start + first * MINUTE, start + (last + 1) * MINUTE
    assert is_available(schedule, window_start, window_end) == all(covered[first : last + 1])


def test_the_oracle_resolves_the_2027_chicago_changes_as_documented() -> None:
    """The oracle itself is checked against hand-worked instants, so it can be trusted."""
    spring, fall = ANCHORS["America/Chicago"][:2]
    assert oracle_resolve("America/Chicago", spring, datetime(2027, 3, 14, 2, 30)) == spring
    assert oracle_resolve("America/Chicago", fall, datetime(2027, 11, 7, 1, 30)) == datetime(
        2027, 11, 7, 6, 30, tzinfo=UTC
    )
    assert date(2027, 3, 14).weekday() == date(2027, 11, 7).weekday() == 6  # both Sundays
