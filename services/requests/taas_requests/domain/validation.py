"""Cross-field rules of a coverage request body that types alone cannot express.

The API models check types, required fields and unknown fields; these functions check what depends on
several fields or on the date, and return every problem found, field by field, so the API can answer
with one RFC 9457 problem listing them all. An empty list means the body is acceptable.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

MAX_HOURS_PER_WEEK = 60
MAX_WEEKS = 104
MAX_EXPECTED_HOURS = 2_000
MAX_START_DAYS_AHEAD = 730


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field: its name, a machine-readable code, and a sentence for people."""

    field: str
    code: str
    message: str


def agency_today(now: datetime, time_zone: ZoneInfo) -> date:
    """The calendar date in the agency's time zone at `now` (what "not in the past" is measured against)."""
    return now.astimezone(time_zone).date()


def onsite_location_problems(onsite: bool, location: object | None) -> list[Problem]:
    """An onsite request needs a location."""
    if onsite and location is None:
        return [Problem("location", "required", "an onsite request needs a location")]
    return []


def start_date_problems(start_date: date, today: date) -> list[Problem]:
    """A vacancy cannot start before today (the agency's today)."""
    if start_date < today:
        return [Problem("start_date", "in_past", f"start_date {start_date} is before today ({today})")]
    return []


def start_horizon_problems(start_date: date, today: date) -> list[Problem]:
    """A vacancy starts within two years of today (the agency's today)."""
    if (start_date - today).days > MAX_START_DAYS_AHEAD:
        return [Problem("start_date", "too_far", f"start_date must be within {MAX_START_DAYS_AHEAD} days of today")]
    return []


def _range_problems(field: str, value: float | Decimal, low_exclusive: int, high: int) -> list[Problem]:
    if not low_exclusive < value <= high:
        return [Problem(field, "out_of_range", f"{field} must be more than {low_exclusive} and at most {high}")]
    return []


def rate_problems(max_hourly_rate_cents: int) -> list[Problem]:
    """The maximum hourly rate is a positive amount of cents."""
    if max_hourly_rate_cents <= 0:
        return [Problem("max_hourly_rate_cents", "out_of_range", "max_hourly_rate_cents must be positive")]
    return []


def duplicate_problems(field: str, items: Iterable[str]) -> list[Problem]:
    """Each item of a list (skills, certifications, clearances) at most once."""
    seen: set[str] = set()
    repeated: list[str] = []
    for item in items:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.add(item)
    if repeated:
        return [Problem(field, "duplicate", f"{field} lists {', '.join(repr(r) for r in repeated)} more than once")]
    return []


def incident_problems(
    *, onsite: bool, location: object | None, max_hourly_rate_cents: int, expected_hours: float | Decimal | None
) -> list[Problem]:
    """Every cross-field problem of an incident request (expected hours are optional)."""
    return [
        *onsite_location_problems(onsite, location),
        *rate_problems(max_hourly_rate_cents),
        *([] if expected_hours is None else _range_problems("expected_hours", expected_hours, 0, MAX_EXPECTED_HOURS)),
    ]


def vacancy_problems(
    *,
    start_date: date,
    today: date,
    hours_per_week: float | Decimal,
    weeks: int,
    onsite: bool,
    location: object | None,
    max_hourly_rate_cents: int,
) -> list[Problem]:
    """Every cross-field problem of a vacancy request."""
    return [
        *start_date_problems(start_date, today),
        *start_horizon_problems(start_date, today),
        *_range_problems("hours_per_week", hours_per_week, 0, MAX_HOURS_PER_WEEK),
        *_range_problems("weeks", weeks, 0, MAX_WEEKS),
        *onsite_location_problems(onsite, location),
        *rate_problems(max_hourly_rate_cents),
    ]
