"""The ops "now" board: where each open request stands against its response target, and each provider now."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Requests dispatch still has to see through; "assigned" and "in_progress" stay on the board until the work ends.
OPEN_STATUSES = ("matching", "offered", "assigned", "in_progress", "unfilled")
ACTIVE = "active"


class TargetState(StrEnum):
    """A request against its response target ("assigned within", as the requests service defines it)."""

    RUNNING = "running"  # not assigned yet, the target still ahead
    MISSED = "missed"  # assigned late, or still unassigned past the target
    MET = "met"  # first assigned before the target
    UNKNOWN = "unknown"  # the submission carried no target


class PoolState(StrEnum):
    """What a provider is doing now, the first that applies in this order."""

    PAUSED = "paused"  # not active (paused or offboarded): never matched
    BUSY = "busy"  # working on a live engagement whose window is now
    ON_CALL = "on_call"  # on an on-call shift: assigned at once, acknowledges after
    AVAILABLE = "available"  # scheduled hours now
    OFF = "off"  # none of the above


@dataclass(frozen=True, slots=True)
class TargetReading:
    """A request's standing against its target at one instant."""

    state: TargetState
    seconds_left: float | None  # while the clock runs: negative once passed; None once it stopped


def target_reading(respond_by: datetime | None, first_assigned_at: datetime | None, now: datetime) -> TargetReading:
    """The standing at `now`: the clock stops at the first assignment (a later release does not restart it)."""
    if respond_by is None:
        return TargetReading(TargetState.UNKNOWN, None)
    if first_assigned_at is not None:
        return TargetReading(TargetState.MET if first_assigned_at <= respond_by else TargetState.MISSED, None)
    left = (respond_by - now).total_seconds()
    return TargetReading(TargetState.RUNNING if left >= 0 else TargetState.MISSED, left)


def pool_state(status: str, engaged_now: int, on_call_until: datetime | None, available_now: bool,
               now: datetime) -> PoolState:
    """A provider's state now from its read-model facts."""
    if status != ACTIVE:
        return PoolState.PAUSED
    if engaged_now > 0:
        return PoolState.BUSY
    if on_call_until is not None and on_call_until > now:
        return PoolState.ON_CALL
    return PoolState.AVAILABLE if available_now else PoolState.OFF
