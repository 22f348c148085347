"""The assignment lifecycle: every allowed and forbidden transition, and time-entry validation."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from taas_dispatch.domain.assignments import (
    AcknowledgementOverdue,
    AcknowledgementRequired,
    Assignment,
    AssignmentStatus,
    AssignmentTransitionError,
    InvalidTimeEntry,
    NoTimeLogged,
    ReleaseCause,
    TimeEntry,
)

ASSIGNED_AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
ACK_BY = ASSIGNED_AT + timedelta(minutes=5)
STARTED_AT = ASSIGNED_AT + timedelta(minutes=2)
LATER = ASSIGNED_AT + timedelta(hours=3)


def at(minutes: int) -> datetime:
    return ASSIGNED_AT + timedelta(minutes=minutes)


def assigned() -> Assignment:
    return Assignment("as-1", "r-1", "p-1", ASSIGNED_AT)


def assigned_on_call() -> Assignment:
    return Assignment("as-1", "r-1", "p-1", ASSIGNED_AT, acknowledge_by=ACK_BY)


STATES: dict[str, Callable[[], Assignment]] = {
    "assigned": assigned,
    "assigned_on_call": assigned_on_call,
    "acknowledged": lambda: assigned_on_call().acknowledge(at(1)),
    "started": lambda: assigned().start(STARTED_AT),
    "completed": lambda: assigned().start(STARTED_AT).complete(LATER, confirm_no_time=True),
    "released": lambda: assigned().release(at(1), ReleaseCause.OPS, "manual reassign"),
}


def log_half_an_hour(assignment: Assignment, now: datetime) -> Assignment:
    return assignment.log_time(TimeEntry("te-new", STARTED_AT, 30), now)


OPERATIONS: dict[str, Callable[[Assignment, datetime], Assignment]] = {
    "acknowledge": lambda a, now: a.acknowledge(now),
    "start": lambda a, now: a.start(now),
    "log_time": log_half_an_hour,
    "complete": lambda a, now: a.complete(now, confirm_no_time=True),
    "release_by_provider": lambda a, now: a.release(now, ReleaseCause.PROVIDER, "sick"),
    "release_by_agency": lambda a, now: a.release(now, ReleaseCause.AGENCY_CANCELLATION, "resolved"),
    "release_by_ops": lambda a, now: a.release(now, ReleaseCause.OPS, "override"),
    "miss_acknowledgement": lambda a, now: a.miss_acknowledgement(now),
}

RELEASES = {"release_by_provider", "release_by_agency", "release_by_ops"}
# (state, operation) → (when, resulting status); everything absent must be refused.
ALLOWED: dict[tuple[str, str], tuple[datetime, AssignmentStatus]] = {
    ("assigned", "start"): (STARTED_AT, AssignmentStatus.STARTED),
    ("assigned_on_call", "acknowledge"): (at(4), AssignmentStatus.ACKNOWLEDGED),
    ("assigned_on_call", "miss_acknowledgement"): (ACK_BY, AssignmentStatus.RELEASED),
    ("acknowledged", "start"): (STARTED_AT, AssignmentStatus.STARTED),
    ("started", "log_time"): (LATER, AssignmentStatus.STARTED),
    ("started", "complete"): (LATER, AssignmentStatus.COMPLETED),
    **{
        (state, release): (LATER, AssignmentStatus.RELEASED)
        for state in ("assigned", "assigned_on_call", "acknowledged", "started")
        for release in RELEASES
    },
}
FORBIDDEN = [(state, op) for state in STATES for op in OPERATIONS if (state, op) not in ALLOWED]


@pytest.mark.parametrize(("state", "operation"), list(ALLOWED))
def test_each_allowed_transition_reaches_its_status(state, operation):
    when, expected = ALLOWED[(state, operation)]
    assert OPERATIONS[operation](STATES[state](), when).status is expected


@pytest.mark.parametrize(("state", "operation"), FORBIDDEN)
def test_each_forbidden_transition_is_refused_with_a_clear_error(state, operation):
    with pytest.raises(AssignmentTransitionError) as raised:
        OPERATIONS[operation](STATES[state](), LATER)
    assert "as-1" in raised.value.message


def test_the_matrix_covers_every_state_and_operation():
    assert len(ALLOWED) + len(FORBIDDEN) == len(STATES) * len(OPERATIONS)
    assert len(FORBIDDEN) >= 30


def test_an_on_call_assignment_cannot_start_before_it_is_acknowledged():
    with pytest.raises(AcknowledgementRequired):
        assigned_on_call().start(at(1))


def test_a_late_acknowledgement_is_refused_as_overdue():
    with pytest.raises(AcknowledgementOverdue):
        assigned_on_call().acknowledge(ACK_BY)


def test_a_missed_acknowledgement_cannot_be_declared_before_the_deadline():
    with pytest.raises(AssignmentTransitionError, match="may be acknowledged until"):
        assigned_on_call().miss_acknowledgement(ACK_BY - timedelta(seconds=1))


def test_a_missed_acknowledgement_releases_with_its_cause():
    released = assigned_on_call().release(ACK_BY, ReleaseCause.ACKNOWLEDGEMENT_MISSED, "ignored")
    assert released.status is AssignmentStatus.RELEASED
    assert released.release_cause is ReleaseCause.ACKNOWLEDGEMENT_MISSED


@pytest.mark.parametrize("cause", [ReleaseCause.PROVIDER, ReleaseCause.AGENCY_CANCELLATION, ReleaseCause.OPS])
def test_a_release_records_who_and_why(cause):
    released = assigned().start(STARTED_AT).release(LATER, cause, "the reason")
    assert (released.release_cause, released.release_reason, released.ended_at) == (cause, "the reason", LATER)


def test_the_lifecycle_records_its_instants():
    done = assigned_on_call().acknowledge(at(1)).start(at(3)).complete(LATER, confirm_no_time=True)
    assert (done.acknowledged_at, done.started_at, done.ended_at) == (at(1), at(3), LATER)


def test_completing_with_no_time_logged_needs_the_providers_confirmation():
    with pytest.raises(NoTimeLogged, match="no time logged"):
        assigned().start(STARTED_AT).complete(LATER)
    assert assigned().start(STARTED_AT).complete(LATER, confirm_no_time=True).status is AssignmentStatus.COMPLETED
    logged = log_half_an_hour(assigned().start(STARTED_AT), LATER)
    assert logged.complete(LATER).status is AssignmentStatus.COMPLETED


def started() -> Assignment:
    return assigned().start(STARTED_AT)


def test_time_entries_accumulate_when_they_touch_but_do_not_overlap():
    first = TimeEntry("te-1", at(10), 30)
    second = TimeEntry("te-2", at(40), 45)
    logged = started().log_time(first, LATER).log_time(second, LATER)
    assert logged.time_entries == (first, second)
    assert logged.logged_minutes == 75


@pytest.mark.parametrize("minutes", [0, -15])
def test_a_time_entry_must_have_positive_minutes(minutes):
    with pytest.raises(InvalidTimeEntry, match="positive"):
        started().log_time(TimeEntry("te-1", at(10), minutes), LATER)


def test_a_time_entry_must_not_end_in_the_future():
    now = at(60)
    with pytest.raises(InvalidTimeEntry, match="future"):
        started().log_time(TimeEntry("te-1", at(50), 11), now)
    assert started().log_time(TimeEntry("te-1", at(50), 10), now).logged_minutes == 10


def test_a_time_entry_must_not_begin_before_the_assignment_started():
    with pytest.raises(InvalidTimeEntry, match="before the assignment started"):
        started().log_time(TimeEntry("te-1", STARTED_AT - timedelta(minutes=1), 10), LATER)


@pytest.mark.parametrize(("start_minute", "minutes"), [(20, 30), (5, 10), (15, 5), (10, 60)])
def test_a_time_entry_must_not_overlap_another(start_minute, minutes):
    existing = started().log_time(TimeEntry("te-1", at(10), 30), LATER)  # minutes 10..40
    with pytest.raises(InvalidTimeEntry, match="overlaps time entry te-1"):
        existing.log_time(TimeEntry("te-2", at(start_minute), minutes), LATER)


def test_the_same_time_entry_cannot_be_logged_twice():
    entry = TimeEntry("te-1", at(10), 30)
    with pytest.raises(InvalidTimeEntry, match="already logged"):
        started().log_time(entry, LATER).log_time(entry, LATER)
