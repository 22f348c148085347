"""Clock parsing and the resolution of local wall-clock times to UTC across DST."""

from datetime import UTC, date, datetime

import pytest

from taas_availability.domain.local_time import (
    format_clock,
    is_known_zone,
    load_zone,
    parse_clock,
    resolve_local,
    resolve_minute,
    to_utc,
)

CHICAGO = load_zone("America/Chicago")
LORD_HOWE = load_zone("Australia/Lord_Howe")  # moves its clocks by 30 minutes


@pytest.mark.parametrize(
    ("text", "minutes"), [("00:00", 0), ("09:30", 570), ("23:59", 1439), ("24:00", 1440)]
)
def test_parse_clock_reads_hours_and_minutes_up_to_end_of_day(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes
    assert format_clock(minutes) == text


@pytest.mark.parametrize("text", ["24:01", "25:00", "12:60", "9:00", "09-00", "ab:cd", "", "09:00:00"])
def test_parse_clock_refuses_what_is_not_a_clock_time(text: str) -> None:
    with pytest.raises(ValueError, match="clock time"):
        parse_clock(text)


def test_zones_are_known_by_their_iana_key_only() -> None:
    assert is_known_zone("Pacific/Honolulu")
    assert not is_known_zone("Mars/Base")
    assert not is_known_zone("../etc/passwd")
    assert not is_known_zone("")
    with pytest.raises(LookupError, match="Mars/Base"):
        load_zone("Mars/Base")


def test_an_ordinary_local_time_resolves_with_the_offset_in_force() -> None:
    assert resolve_local(datetime(2027, 7, 1, 9, 0), CHICAGO) == datetime(2027, 7, 1, 14, 0, tzinfo=UTC)
    assert resolve_local(datetime(2027, 1, 4, 9, 0), CHICAGO) == datetime(2027, 1, 4, 15, 0, tzinfo=UTC)


def test_a_time_that_happens_twice_resolves_to_its_first_occurrence() -> None:
    # 2027-11-07 01:30 in Chicago is first 01:30 CDT (06:30Z), then 01:30 CST (07:30Z).
    assert resolve_local(datetime(2027, 11, 7, 1, 30), CHICAGO) == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)


def test_a_time_the_clock_skips_resolves_to_the_moment_the_clock_jumps() -> None:
    # 2027-03-14 02:00 CST jumps to 03:00 CDT at 08:00Z; 02:00, 02:30 and 02:59 never happen.
    jump = datetime(2027, 3, 14, 8, 0, tzinfo=UTC)
    assert resolve_local(datetime(2027, 3, 14, 2, 0), CHICAGO) == jump
    assert resolve_local(datetime(2027, 3, 14, 2, 30), CHICAGO) == jump
    assert resolve_local(datetime(2027, 3, 14, 2, 59, 59), CHICAGO) == jump
    assert resolve_local(datetime(2027, 3, 14, 3, 0), CHICAGO) == jump
    assert resolve_local(datetime(2027, 3, 14, 1, 59), CHICAGO) == datetime(2027, 3, 14, 7, 59, tzinfo=UTC)


def test_a_half_hour_jump_resolves_to_its_moment_too() -> None:
    # Lord Howe goes from +10:30 to +11:00 at 02:00 local on 2027-10-03 (15:30Z the day before).
    jump = datetime(2027, 10, 2, 15, 30, tzinfo=UTC)
    assert resolve_local(datetime(2027, 10, 3, 2, 15), LORD_HOWE) == jump
    assert resolve_local(datetime(2027, 10, 3, 2, 30), LORD_HOWE) == jump


def test_24_00_is_midnight_of_the_next_day() -> None:
    assert resolve_minute(date(2027, 3, 13), 1440, CHICAGO) == resolve_minute(date(2027, 3, 14), 0, CHICAGO)
    assert resolve_minute(date(2027, 3, 14), 1440, CHICAGO) == datetime(2027, 3, 15, 5, 0, tzinfo=UTC)


def test_to_utc_keeps_aware_instants_and_reads_naive_ones_as_local() -> None:
    aware = datetime(2027, 7, 1, 9, 0, tzinfo=CHICAGO)
    assert to_utc(aware, load_zone("Pacific/Honolulu")) == datetime(2027, 7, 1, 14, 0, tzinfo=UTC)
    assert to_utc(datetime(2027, 7, 1, 9, 0), load_zone("Pacific/Honolulu")) == datetime(
        2027, 7, 1, 19, 0, tzinfo=UTC
    )
