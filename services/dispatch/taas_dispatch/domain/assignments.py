"""The assignment lifecycle: assigned (→ acknowledged, for on-call) → started → completed, or released."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from taas_dispatch.domain.errors import DispatchDomainError
from taas_dispatch.domain.time_windows import TimeWindow, require_aware


class AssignmentStatus(StrEnum):
    """Where an assignment stands."""

    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    STARTED = "started"
    COMPLETED = "completed"
    RELEASED = "released"


class ReleaseCause(StrEnum):
    """Who or what ended an assignment before completion."""

    PROVIDER = "provider"
    AGENCY_CANCELLATION = "agency_cancellation"
    OPS = "ops"
    ACKNOWLEDGEMENT_MISSED = "acknowledgement_missed"


class AssignmentTransitionError(DispatchDomainError):
    """The assignment cannot make the transition asked of it from its current status."""

    code = "assignment_transition_refused"


class NoTimeLogged(AssignmentTransitionError):
    """Completing without a single time entry needs the provider's explicit confirmation."""

    code = "no_time_logged"


class AcknowledgementRequired(AssignmentTransitionError):
    """An on-call assignment must be acknowledged before work starts."""

    code = "acknowledgement_required"


class AcknowledgementOverdue(AssignmentTransitionError):
    """The acknowledgement deadline has passed."""

    code = "acknowledgement_overdue"


class InvalidTimeEntry(DispatchDomainError):
    """A time entry is not positive, lies in the future, precedes the start, or overlaps another."""

    code = "invalid_time_entry"


@dataclass(frozen=True, slots=True)
class TimeEntry:
    """A stretch of work: `minutes` from `started_at`."""

    entry_id: str
    started_at: datetime
    minutes: int
    note: str = ""

    @property
    def ended_at(self) -> datetime:
        """When the stretch of work ended."""
        return self.started_at + timedelta(minutes=self.minutes)


_ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.STARTED)


@dataclass(frozen=True, slots=True)
class Assignment:
    """A provider booked for a request; `acknowledge_by` is set only for on-call assignments made at once."""

    assignment_id: str
    request_id: str
    provider_id: str
    assigned_at: datetime
    acknowledge_by: datetime | None = None
    status: AssignmentStatus = AssignmentStatus.ASSIGNED
    acknowledged_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    release_cause: ReleaseCause | None = None
    release_reason: str | None = None
    time_entries: tuple[TimeEntry, ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.assigned_at, "assigned_at")
        if self.acknowledge_by is not None:
            require_aware(self.acknowledge_by, "acknowledge_by")

    @property
    def needs_acknowledgement(self) -> bool:
        """True while an on-call assignment waits to be acknowledged."""
        return self.status is AssignmentStatus.ASSIGNED and self.acknowledge_by is not None

    @property
    def logged_minutes(self) -> int:
        """Total minutes of every time entry."""
        return sum(entry.minutes for entry in self.time_entries)

    def acknowledge(self, now: datetime) -> "Assignment":
        """The on-call provider confirms they are on it, before the deadline."""
        self._require_status("acknowledge", AssignmentStatus.ASSIGNED)
        if self.acknowledge_by is None:
            raise AssignmentTransitionError(f"assignment {self.assignment_id} needs no acknowledgement")
        if now >= self.acknowledge_by:
            raise AcknowledgementOverdue(
                f"assignment {self.assignment_id} had to be acknowledged by {self.acknowledge_by.isoformat()}"
            )
        return replace(self, status=AssignmentStatus.ACKNOWLEDGED, acknowledged_at=now)

    def miss_acknowledgement(self, now: datetime) -> "Assignment":
        """The acknowledgement deadline passed: the assignment is released so dispatch moves on."""
        if not self.needs_acknowledgement:
            raise AssignmentTransitionError(
                f"assignment {self.assignment_id} is {self.status} and not waiting for an acknowledgement"
            )
        assert self.acknowledge_by is not None
        if now < self.acknowledge_by:
            raise AssignmentTransitionError(
                f"assignment {self.assignment_id} may be acknowledged until {self.acknowledge_by.isoformat()}"
            )
        return self._released(now, ReleaseCause.ACKNOWLEDGEMENT_MISSED, "not acknowledged in time")

    def start(self, now: datetime) -> "Assignment":
        """The provider starts work."""
        if self.needs_acknowledgement:
            raise AcknowledgementRequired(f"assignment {self.assignment_id} must be acknowledged before it starts")
        self._require_status("start", AssignmentStatus.ASSIGNED, AssignmentStatus.ACKNOWLEDGED)
        return replace(self, status=AssignmentStatus.STARTED, started_at=now)

    def log_time(self, entry: TimeEntry, now: datetime) -> "Assignment":
        """Record a stretch of work: positive, not in the future, after the start, overlapping no other entry."""
        self._require_status("log time on", AssignmentStatus.STARTED)
        require_aware(entry.started_at, "time entry start")
        if entry.minutes <= 0:
            raise InvalidTimeEntry(f"time entry {entry.entry_id}: minutes must be positive, got {entry.minutes}")
        if entry.ended_at > now:
            raise InvalidTimeEntry(
                f"time entry {entry.entry_id} ends in the future ({entry.ended_at.isoformat()})"
            )
        assert self.started_at is not None
        if entry.started_at < self.started_at:
            raise InvalidTimeEntry(f"time entry {entry.entry_id} begins before the assignment started")
        span = TimeWindow(entry.started_at, entry.ended_at)
        for other in self.time_entries:
            if other.entry_id == entry.entry_id:
                raise InvalidTimeEntry(f"time entry {entry.entry_id} is already logged")
            if span.overlaps(TimeWindow(other.started_at, other.ended_at)):
                raise InvalidTimeEntry(f"time entry {entry.entry_id} overlaps time entry {other.entry_id}")
        return replace(self, time_entries=(*self.time_entries, entry))

    def complete(self, now: datetime, confirm_no_time: bool = False) -> "Assignment":
        """The provider finished the work (with no time logged only when they say so: nothing is billed)."""
        self._require_status("complete", AssignmentStatus.STARTED)
        if not self.time_entries and not confirm_no_time:
            raise NoTimeLogged(
                f"assignment {self.assignment_id} has no time logged, so completing it bills nothing: log the work "
                'first (POST .../time-entries), or complete with {"no_time_logged": true} to confirm'
            )
        return replace(self, status=AssignmentStatus.COMPLETED, ended_at=now)

    def release(self, now: datetime, cause: ReleaseCause, reason: str) -> "Assignment":
        """End the assignment early: by the provider, the agency's cancellation, or ops."""
        if cause is ReleaseCause.ACKNOWLEDGEMENT_MISSED:
            return self.miss_acknowledgement(now)
        self._require_status("release", *_ACTIVE)
        return self._released(now, cause, reason)

    def _released(self, now: datetime, cause: ReleaseCause, reason: str) -> "Assignment":
        return replace(
            self, status=AssignmentStatus.RELEASED, ended_at=now, release_cause=cause, release_reason=reason
        )

    def _require_status(self, verb: str, *allowed: AssignmentStatus) -> None:
        if self.status not in allowed:
            raise AssignmentTransitionError(
                f"cannot {verb} assignment {self.assignment_id}: it is {self.status}, "
                f"expected {' or '.join(allowed)}"
            )
