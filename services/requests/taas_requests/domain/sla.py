"""Response-time targets: by when a request must be assigned, and whether it missed that target.

The target is "assigned within": the clock starts at submission and stops at the first assignment (a
later release does not restart it) or at cancellation. The deadline is computed once at submission and
stored with the request, so a later change of policy does not move the deadlines of requests in flight.

An incident's target is elapsed time. A vacancy's target counts business days in the agency's time
zone: the deadline is the same local wall-clock time on the Nth business day after the submission date
(a time that does not exist that day because of DST is read with the offset before the change).
Public holidays are not modelled.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from taas_contracts.catalog import RequestKind, Severity

MONDAY_TO_FRIDAY = frozenset(range(5))  # date.weekday(): Monday is 0


def _default_incident_targets() -> Mapping[Severity, timedelta]:
    return MappingProxyType(
        {
            Severity.CRITICAL: timedelta(minutes=15),
            Severity.HIGH: timedelta(hours=1),
            Severity.MEDIUM: timedelta(hours=4),
            Severity.LOW: timedelta(hours=24),
        }
    )


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """The response-time targets: elapsed time per incident severity, business days for a vacancy."""

    incident_targets: Mapping[Severity, timedelta] = field(default_factory=_default_incident_targets)
    vacancy_business_days: int = 5
    business_weekdays: frozenset[int] = MONDAY_TO_FRIDAY

    def __post_init__(self) -> None:
        missing = set(Severity) - set(self.incident_targets)
        if missing:
            raise ValueError(f"no response-time target for severities {sorted(missing)}")
        if any(target <= timedelta(0) for target in self.incident_targets.values()):
            raise ValueError("response-time targets must be positive")
        if self.vacancy_business_days < 1:
            raise ValueError("vacancy_business_days must be at least 1")
        if not self.business_weekdays or not self.business_weekdays <= frozenset(range(7)):
            raise ValueError("business_weekdays must be a non-empty subset of 0 (Monday)..6 (Sunday)")


DEFAULT_POLICY = SlaPolicy()


def deadline(
    submitted_at: datetime,
    severity: Severity | None,
    kind: RequestKind,
    *,
    time_zone: ZoneInfo | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
) -> datetime:
    """When a request submitted at `submitted_at` must be assigned by (UTC)."""
    if submitted_at.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    if kind is RequestKind.INCIDENT:
        if severity is None:
            raise ValueError("an incident needs a severity to have a response-time target")
        return submitted_at.astimezone(UTC) + policy.incident_targets[severity]
    return _add_business_days(submitted_at, policy.vacancy_business_days, time_zone or ZoneInfo("UTC"), policy)


def _add_business_days(start: datetime, days: int, time_zone: ZoneInfo, policy: SlaPolicy) -> datetime:
    local = start.astimezone(time_zone)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() in policy.business_weekdays:
            counted += 1
    return datetime.combine(day, local.time(), tzinfo=time_zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SlaState:
    """What breach detection needs of a request: its deadline and when, if ever, its clock stopped."""

    due_at: datetime
    assigned_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def clock_stopped_at(self) -> datetime | None:
        """When the target stopped running: first assignment, else cancellation, else never yet."""
        return self.assigned_at if self.assigned_at is not None else self.cancelled_at


def is_breached(request_state: SlaState, now: datetime) -> bool:
    """Whether the request missed (or, still running, has already passed) its response-time target."""
    stopped = request_state.clock_stopped_at
    return (stopped if stopped is not None else now) > request_state.due_at


def time_left(request_state: SlaState, now: datetime) -> timedelta | None:
    """Time until the deadline while the clock runs (negative once passed); None once it stopped."""
    if request_state.clock_stopped_at is not None:
        return None
    return request_state.due_at - now
