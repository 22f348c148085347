"""Checks of what callers send (profile, weekly windows, exceptions, on-call), each problem named by its field."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from taas_availability.domain.credentials import (Certification, ClearanceGrant, validate_certifications,
                                                  validate_clearances)
from taas_availability.domain.local_time import is_known_zone, load_zone, parse_clock, to_utc
from taas_availability.domain.problems import FieldProblem
from taas_availability.domain.profile import validate_profile_terms
from taas_availability.domain.schedule import Schedule, WeeklyWindow
from taas_availability.domain.schedule_validation import validate_schedule

MAX_EXCEPTION_DAYS = 366
_WINDOW_REF = re.compile(r"windows\[(\d+)\]")
# The domain's names for profile terms, as the API calls them.
_PROFILE_FIELDS = {"max_concurrent_engagements": "capacity", "onsite_radius_km": "onsite.radius_km"}


@dataclass(frozen=True, slots=True)
class RawWindow:
    """A weekly window as sent: weekday number and 'HH:MM' texts."""

    day: int
    start: str
    end: str


def zone_problems(time_zone: str) -> list[FieldProblem]:
    """A problem if `time_zone` is not an IANA zone known here."""
    return [] if is_known_zone(time_zone) else [FieldProblem("time_zone", f"unknown time zone {time_zone!r}")]


def check_windows(time_zone: str, raw: Sequence[RawWindow]) -> tuple[tuple[WeeklyWindow, ...], list[FieldProblem]]:
    """Parse and check a weekly schedule: windows malformed, inverted, empty or overlapping, and the zone."""
    problems: list[FieldProblem] = []
    parsed: list[WeeklyWindow] = []
    original_index: list[int] = []
    for index, window in enumerate(raw):
        clock_problems, minutes = [], []
        for name in ("start", "end"):
            try:
                minutes.append(parse_clock(getattr(window, name)))
            except ValueError as exc:
                clock_problems.append(FieldProblem(f"windows[{index}].{name}", str(exc)))
        if clock_problems:
            problems.extend(clock_problems)
            continue
        parsed.append(WeeklyWindow(window.day, minutes[0], minutes[1]))
        original_index.append(index)
    # The domain names windows by their position among the parsed ones: name them as they were sent.
    def renumber(text: str) -> str:
        return _WINDOW_REF.sub(lambda m: f"windows[{original_index[int(m[1])]}]", text)

    for problem in validate_schedule(Schedule(time_zone, tuple(parsed))):
        field = renumber(problem.field).replace(".weekday", ".day")
        problems.append(FieldProblem(field, renumber(problem.message)))
    return tuple(parsed), sorted(problems, key=_order)


def _order(problem: FieldProblem) -> tuple[int, str]:
    match = _WINDOW_REF.match(problem.field)
    return (int(match[1]) if match else -1, problem.field)


def profile_problems(*, roles: Sequence[str], hourly_rate_cents: int, capacity: int, onsite_radius_km: float | None,
                     certifications: Sequence[Certification], clearances: Sequence[ClearanceGrant],
                     time_zone: str) -> list[FieldProblem]:
    """Every problem with a profile's terms, credentials and zone."""
    problems = [
        FieldProblem(_PROFILE_FIELDS.get(p.field, p.field), p.message)
        for p in validate_profile_terms(hourly_rate_cents=hourly_rate_cents, max_concurrent_engagements=capacity,
                                        onsite_radius_km=0 if onsite_radius_km is None else int(onsite_radius_km),
                                        roles=roles)
    ]
    problems.extend(validate_certifications(certifications))
    problems.extend(validate_clearances(clearances))
    problems.extend(zone_problems(time_zone))
    return problems


def check_exception(time_zone: str, start: datetime, end: datetime,
                    now: datetime) -> tuple[datetime, datetime, list[FieldProblem]]:
    """An exception's bounds as UTC (naive ones read in the provider's zone) and what is wrong with them."""
    zone = load_zone(time_zone)
    start_utc, end_utc = to_utc(start, zone), to_utc(end, zone)
    problems: list[FieldProblem] = []
    if end_utc <= start_utc:
        problems.append(FieldProblem("end", "must be after start"))
    elif end_utc - start_utc > timedelta(days=MAX_EXCEPTION_DAYS):
        problems.append(FieldProblem("end", f"an exception lasts at most {MAX_EXCEPTION_DAYS} days"))
    elif end_utc <= now:
        problems.append(FieldProblem("end", "is in the past"))
    return start_utc, end_utc, problems


def on_call_problems(until: datetime | None, now: datetime, max_days: int) -> list[FieldProblem]:
    """What is wrong with an 'on call now until T' request."""
    if until is None:
        return [FieldProblem("on_call_until", "is required with status on_call")]
    if until.tzinfo is None or until.utcoffset() is None:
        return [FieldProblem("on_call_until", "must carry a time zone (UTC offset)")]
    if until <= now:
        return [FieldProblem("on_call_until", "must be in the future")]
    if until - now > timedelta(days=max_days):
        return [FieldProblem("on_call_until", f"must be within {max_days} days")]
    return []
