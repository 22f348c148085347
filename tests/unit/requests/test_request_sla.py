"""Response-time targets: deadlines by severity and kind, business days, and breach detection."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from taas_contracts.catalog import RequestKind, Severity
from taas_requests.domain.sla import DEFAULT_POLICY, SlaPolicy, SlaState, deadline, is_breached, time_left

SUBMITTED = datetime(2025, 3, 5, 14, 30, tzinfo=UTC)  # a Wednesday
CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("severity", "target"),
    [
        (Severity.CRITICAL, timedelta(minutes=15)),
        (Severity.HIGH, timedelta(hours=1)),
        (Severity.MEDIUM, timedelta(hours=4)),
        (Severity.LOW, timedelta(hours=24)),
    ],
)
def test_incident_deadline_by_severity(severity: Severity, target: timedelta) -> None:
    assert deadline(SUBMITTED, severity, RequestKind.INCIDENT) == SUBMITTED + target


def test_incident_deadline_is_in_utc_whatever_the_input_offset() -> None:
    local = SUBMITTED.astimezone(CHICAGO)
    due = deadline(local, Severity.CRITICAL, RequestKind.INCIDENT)
    assert due.utcoffset() == timedelta(0)
    assert due == SUBMITTED + timedelta(minutes=15)


def test_incident_without_severity_is_an_error() -> None:
    with pytest.raises(ValueError, match="severity"):
        deadline(SUBMITTED, None, RequestKind.INCIDENT)


def test_naive_submission_time_is_an_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(datetime(2025, 3, 5, 14, 30), Severity.LOW, RequestKind.INCIDENT)


def test_vacancy_deadline_is_five_business_days_later() -> None:
    due = deadline(SUBMITTED, None, RequestKind.VACANCY)
    assert due == datetime(2025, 3, 12, 14, 30, tzinfo=UTC)  # Wednesday to Wednesday, skipping the weekend


def test_vacancy_submitted_on_a_saturday_counts_from_monday() -> None:
    saturday = datetime(2025, 3, 8, 10, 0, tzinfo=UTC)
    assert deadline(saturday, None, RequestKind.VACANCY) == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)  # Friday


def test_vacancy_business_days_are_counted_in_the_agency_time_zone() -> None:
    # Saturday 01:00 UTC is still Friday evening in Chicago: Friday + 5 business days is the next Friday.
    friday_evening_local = datetime(2025, 3, 8, 1, 0, tzinfo=UTC)
    due = deadline(friday_evening_local, None, RequestKind.VACANCY, time_zone=CHICAGO)
    assert due.astimezone(CHICAGO) == datetime(2025, 3, 14, 19, 0, tzinfo=CHICAGO)
    assert deadline(friday_evening_local, None, RequestKind.VACANCY) == datetime(2025, 3, 14, 1, 0, tzinfo=UTC)


def test_vacancy_deadline_keeps_the_local_time_across_a_dst_change() -> None:
    # US DST starts on Sunday 2025-03-09: the same 09:00 local is one hour earlier in UTC afterwards.
    submitted = datetime(2025, 3, 7, 9, 0, tzinfo=CHICAGO)  # Friday, CST (UTC-6)
    due = deadline(submitted, None, RequestKind.VACANCY, time_zone=CHICAGO)
    assert due == datetime(2025, 3, 14, 14, 0, tzinfo=UTC)  # Friday 09:00 CDT (UTC-5)


def test_policy_is_data() -> None:
    policy = SlaPolicy(
        incident_targets={s: timedelta(minutes=5) for s in Severity},
        vacancy_business_days=1,
        business_weekdays=frozenset(range(7)),
    )
    assert deadline(SUBMITTED, Severity.LOW, RequestKind.INCIDENT, policy=policy) == SUBMITTED + timedelta(minutes=5)
    saturday = datetime(2025, 3, 8, 10, 0, tzinfo=UTC)
    assert deadline(saturday, None, RequestKind.VACANCY, policy=policy) == saturday + timedelta(days=1)
    assert DEFAULT_POLICY.incident_targets[Severity.CRITICAL] == timedelta(minutes=15)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"incident_targets": {Severity.CRITICAL: timedelta(minutes=15)}},
        {"incident_targets": {s: timedelta(0) for s in Severity}},
        {"vacancy_business_days": 0},
        {"business_weekdays": frozenset()},
        {"business_weekdays": frozenset({7})},
    ],
)
def test_an_incomplete_or_nonsense_policy_is_rejected(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        SlaPolicy(**kwargs)


DUE = SUBMITTED + timedelta(minutes=15)


def test_running_clock_is_breached_only_after_the_deadline() -> None:
    state = SlaState(due_at=DUE)
    assert not is_breached(state, DUE - timedelta(seconds=1))
    assert not is_breached(state, DUE)
    assert is_breached(state, DUE + timedelta(seconds=1))


def test_assigned_in_time_is_never_breached() -> None:
    state = SlaState(due_at=DUE, assigned_at=DUE - timedelta(minutes=1))
    assert not is_breached(state, DUE + timedelta(days=30))


def test_assigned_late_stays_breached() -> None:
    state = SlaState(due_at=DUE, assigned_at=DUE + timedelta(minutes=1))
    assert is_breached(state, DUE + timedelta(days=30))


def test_cancelled_before_the_deadline_is_not_breached_and_after_is() -> None:
    assert not is_breached(SlaState(due_at=DUE, cancelled_at=DUE - timedelta(minutes=1)), DUE + timedelta(hours=1))
    assert is_breached(SlaState(due_at=DUE, cancelled_at=DUE + timedelta(minutes=1)), DUE + timedelta(hours=1))


def test_first_assignment_stops_the_clock_even_if_cancelled_later() -> None:
    state = SlaState(due_at=DUE, assigned_at=DUE - timedelta(minutes=5), cancelled_at=DUE + timedelta(hours=1))
    assert not is_breached(state, DUE + timedelta(hours=2))


def test_time_left_counts_down_then_goes_negative_and_stops_with_the_clock() -> None:
    state = SlaState(due_at=DUE)
    assert time_left(state, DUE - timedelta(minutes=3)) == timedelta(minutes=3)
    assert time_left(state, DUE + timedelta(minutes=2)) == -timedelta(minutes=2)
    assert time_left(SlaState(due_at=DUE, assigned_at=DUE), DUE) is None
