"""Engagement windows: when the work of a request happens, in UTC, from the agency's time zone.

An incident runs from submission for its expected hours. A vacancy runs from local midnight of its start
date to local midnight `weeks` weeks later in the agency's time zone, so a DST change inside the window
shifts its UTC length by the hour the clocks moved.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def incident_window(submitted_at: datetime, expected_hours: float) -> tuple[datetime, datetime]:
    """Now until now plus the expected hours."""
    if expected_hours <= 0:
        raise ValueError("expected_hours must be positive")
    start = submitted_at.astimezone(UTC)
    return start, start + timedelta(hours=expected_hours)


def vacancy_window(start_date: date, weeks: int, time_zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight of the start date until local midnight `weeks` weeks later, in UTC."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    end_date = start_date + timedelta(weeks=weeks)
    start = datetime.combine(start_date, time(0), tzinfo=time_zone).astimezone(UTC)
    end = datetime.combine(end_date, time(0), tzinfo=time_zone).astimezone(UTC)
    return start, end
