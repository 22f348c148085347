"""Wall-clock times in a provider's zone and the UTC instants they stand for, DST included.

The rule for a local wall-clock time that is not a single instant: it resolves to the *earliest
instant at which the wall clock reads that time or later*. Hence:

- an ambiguous time (fall back, e.g. 01:30 on 2027-11-07 in America/Chicago, which happens twice)
  resolves to its first occurrence (01:30 CDT);
- a nonexistent time (spring forward, e.g. 02:30 on 2027-03-14 in America/Chicago, which the clock
  skips) resolves to the moment the clock jumps past it (03:00 CDT).

Every boundary resolves by the same monotone rule, so windows that touch in local time (22:00-24:00
and 00:00-06:00 the next day) touch in UTC too: no gap, no overlap. A window spanning the repeated
hour gets the extra hour of real time; one spanning the skipped hour loses it.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60
_ONE_MICROSECOND = timedelta(microseconds=1)


def parse_clock(text: str) -> int:
    """Minutes since local midnight for 'HH:MM' (00:00 to 24:00); raise ValueError otherwise."""
    hours_text, separator, minutes_text = text.partition(":")
    if (
        separator != ":"
        or len(hours_text) != 2
        or len(minutes_text) != 2
        or not (hours_text + minutes_text).isdigit()
    ):
        raise ValueError(f"not a clock time HH:MM: {text!r}")
    hours, minutes = int(hours_text), int(minutes_text)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"not a clock time between 00:00 and 24:00: {text!r}")
    return hours * 60 + minutes


def format_clock(minute_of_day: int) -> str:
    """'HH:MM' for minutes since local midnight (1440 prints as 24:00)."""
    hours, minutes = divmod(minute_of_day, 60)
    return f"{hours:02d}:{minutes:02d}"


@lru_cache(maxsize=512)
def load_zone(key: str) -> ZoneInfo:
    """The ZoneInfo for an IANA key; raise LookupError if there is no such zone."""
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as error:  # ValueError: malformed keys like '../x'
        raise LookupError(f"unknown time zone {key!r}") from error


def is_known_zone(key: str) -> bool:
    """True iff `key` names an IANA time zone available here."""
    try:
        load_zone(key)
    except LookupError:
        return False
    return True


def resolve_local(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant a naive local wall-clock time stands for (see the module docstring)."""
    # fold=0 reads the time with the offset in force before a transition, fold=1 after it. They
    # agree for ordinary times; before > after means a repeat (fold=0 is the first occurrence);
    # before < after means a gap.
    first_reading = local.replace(tzinfo=zone, fold=0)
    offset_before = first_reading.utcoffset()
    offset_after = first_reading.replace(fold=1).utcoffset()
    assert offset_before is not None and offset_after is not None  # a ZoneInfo always answers
    if offset_before >= offset_after:
        return (local - offset_before).replace(tzinfo=UTC)
    return _end_of_gap(local, zone)


def resolve_minute(day: date, minute_of_day: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of `minute_of_day` (0..1440) on local date `day`."""
    if minute_of_day == MINUTES_PER_DAY:
        day, minute_of_day = day + timedelta(days=1), 0
    hour, minute = divmod(minute_of_day, 60)
    return resolve_local(datetime(day.year, day.month, day.day, hour, minute), zone)


def to_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware datetime as UTC, or a naive one read as local wall-clock time in `zone`."""
    if moment.tzinfo is None:
        return resolve_local(moment, zone)
    return moment.astimezone(UTC)


def _end_of_gap(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant the clock jumps over the nonexistent `local`: bisect between the two readings."""
    # Read with the offset after the jump the time lands before the jump, with the offset before
    # it lands after; the jump lies between, and "wall clock >= local" flips exactly there.
    before = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if before > after:
        before, after = after, before
    while after - before > _ONE_MICROSECOND:
        middle = before + (after - before) // 2
        if middle.astimezone(zone).replace(tzinfo=None) >= local:
            after = middle
        else:
            before = middle
    return after
