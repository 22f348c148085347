"""The coverage request state machine: which status changes are allowed, and how events move a request.

A request's status follows dispatch's events; the agency (or ops) can also cancel it. Kafka delivers at
least once and, across retries and partitions moved between consumers, not always in order, so every
event goes through `apply`, which decides, in this order:

1. Duplicate: an event id already seen is a no-op (no timeline entry, nothing changes).
2. Step: a dispatch step that does not move the status (an offer declined, time logged, a release after
   which dispatch does not match again, ...) is recorded in the timeline whatever its order, and does
   not count in the `seq` comparisons below, so a late status event is never shadowed by a step
   numbered after it.
3. Cancel: the agency's cancel has no `seq` (it does not come from dispatch) and applies from any
   non-terminal status.
4. Stale: dispatch numbers each request's events with a monotonic `seq`. A status event with `seq` at or
   below the last applied one is older than what the status already reflects: it is recorded in the
   timeline as ignored, and never moves the status back. Exception, so that terminal information is
   never lost: a stale completion still applies when completion is reachable from the current status.
5. Terminal: a completed or cancelled request never moves again; a newer event is refused.
6. Newer: a status event with a higher `seq` applies when the table allows it. If it directly follows the
   last applied one (`seq == last_seq + 1`) the move must be one edge of the table; if there is a gap (or
   it is the first dispatch event seen), the events in between were missed or are still on their way,
   so forward information is kept: the move applies when the target is *reachable* through the table.
   The missed events then arrive stale and are recorded as ignored. Dispatch need not number without
   gaps; where it does, consecutive events get the strict one-edge check. (With today's table every
   non-terminal status reaches every other but SUBMITTED, so across a gap only terminal requests refuse.)

Consequence (tested): delivering a valid history in any order, with any duplicates, ends in the same
status as delivering it in order.

Refusals never raise: the outcome carries the reason, and the service logs it. Refused and stale events
are still remembered as seen, so their redelivery is a silent duplicate.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from taas_contracts.catalog import RequestStatus

S = RequestStatus

ALLOWED: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.SUBMITTED: frozenset({S.MATCHING, S.CANCELLED}),
    # MATCHING -> ASSIGNED: a provider on an on-call shift is assigned at once, without an offer.
    # MATCHING -> MATCHING: a new matching round (e.g. just after a release) is a step, not a change.
    S.MATCHING: frozenset({S.MATCHING, S.OFFERED, S.ASSIGNED, S.UNFILLED, S.CANCELLED}),
    # OFFERED -> OFFERED: parallel offers, or the next candidate after a decline or a missed deadline.
    # OFFERED -> MATCHING: every offer lapsed and dispatch matches again.
    S.OFFERED: frozenset({S.OFFERED, S.ASSIGNED, S.MATCHING, S.UNFILLED, S.CANCELLED}),
    # ASSIGNED -> MATCHING: the assignment was released and the request is matched again.
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.MATCHING, S.CANCELLED}),
    # IN_PROGRESS -> MATCHING: dispatch may release a provider once work started; the request is matched again.
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.MATCHING, S.CANCELLED}),
    # UNFILLED -> UNFILLED: a re-match that found nobody again.
    S.UNFILLED: frozenset({S.UNFILLED, S.MATCHING, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

TERMINAL: frozenset[RequestStatus] = frozenset(status for status, targets in ALLOWED.items() if not targets)


def _reachable_from(start: RequestStatus) -> frozenset[RequestStatus]:
    seen: set[RequestStatus] = set()
    frontier = list(ALLOWED[start])
    while frontier:
        status = frontier.pop()
        if status not in seen:
            seen.add(status)
            frontier.extend(ALLOWED[status])
    return frozenset(seen)


REACHABLE: dict[RequestStatus, frozenset[RequestStatus]] = {status: _reachable_from(status) for status in S}

CANCEL = "request.cancelled"

TARGET_OF_EVENT: dict[str, RequestStatus] = {
    "request.matching": S.MATCHING,
    "offer.created": S.OFFERED,
    "assignment.created": S.ASSIGNED,
    "assignment.started": S.IN_PROGRESS,
    "assignment.completed": S.COMPLETED,
    "assignment.released": S.MATCHING,
    "request.unfilled": S.UNFILLED,
    CANCEL: S.CANCELLED,
}

RELEASED = "assignment.released"

# Dispatch steps the timeline shows that leave the status where it is (the next event moves it).
STEP_EVENTS: frozenset[str] = frozenset(
    {
        "offer.accepted",
        "offer.declined",
        "offer.expired",
        "offer.withdrawn",
        "assignment.acknowledged",
        "assignment.time_logged",
        "dispatch.log_recorded",
    }
)

_TYPE_DECORATION = re.compile(r"^taas\.|\.v\d+$")


def is_allowed(current: RequestStatus, target: RequestStatus) -> bool:
    """Whether the table allows moving a request from `current` straight to `target`."""
    return target in ALLOWED[current]


def event_name(event_type: str) -> str:
    """The bare event name, e.g. `offer.created` for the contract type `taas.offer.created.v1`."""
    return _TYPE_DECORATION.sub("", event_type)


class Verdict(StrEnum):
    """What `apply` did with an event."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    STALE = "stale"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """An event that may move a request: from dispatch (with `seq`) or the agency's cancel (without).

    `redispatch` matters for a release only: False means dispatch will not match the request again
    (e.g. the release follows a cancellation), so the release is a step and the status stays.
    """

    event_id: str
    type: str
    occurred_at: datetime
    seq: int | None = None
    note: str | None = None
    redispatch: bool = True


@dataclass(frozen=True, slots=True)
class RequestProgress:
    """What the state machine needs to know about a request: status, last applied seq, event ids seen."""

    status: RequestStatus = S.SUBMITTED
    last_seq: int | None = None
    seen_event_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a request's timeline: a status change, a dispatch step, or an ignored/refused event."""

    event_id: str
    event_type: str
    seq: int | None
    occurred_at: datetime
    from_status: RequestStatus
    to_status: RequestStatus
    verdict: Verdict
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of applying one event: the new progress, what to append to the timeline, and why."""

    verdict: Verdict
    progress: RequestProgress
    previous: RequestStatus
    entry: TimelineEntry | None
    reason: str | None = None

    @property
    def status(self) -> RequestStatus:
        """The request's status after the event."""
        return self.progress.status

    @property
    def changed(self) -> bool:
        """Whether the status changed."""
        return self.progress.status != self.previous


def apply(current: RequestProgress, event: StatusEvent) -> Outcome:
    """Apply one event to a request's progress; never raises for a bad transition (see the module rules)."""
    if event.event_id in current.seen_event_ids:
        return Outcome(Verdict.DUPLICATE, current, current.status, None, "event already seen")
    name = event_name(event.type)
    target = TARGET_OF_EVENT.get(name)
    if name == RELEASED and not event.redispatch:
        return _accept(current, event, current.status, advance_seq=False)
    if target is None:
        if name in STEP_EVENTS:
            return _accept(current, event, current.status, advance_seq=False)
        return _refuse(current, event, f"unknown event type {event.type!r}")
    if name == CANCEL:
        if current.status in TERMINAL:
            return _refuse(current, event, f"request is already {current.status}")
        return _accept(current, event, S.CANCELLED, advance_seq=False)
    if event.seq is None:
        return _refuse(current, event, f"dispatch event {event.type!r} carries no seq")
    if current.last_seq is not None and event.seq <= current.last_seq:
        if target in TERMINAL and target in REACHABLE[current.status]:
            return _accept(current, event, target, advance_seq=False)
        return _ignore_stale(current, event)
    if current.status in TERMINAL:
        return _refuse(current, event, f"request is already {current.status}")
    contiguous = current.last_seq is not None and event.seq == current.last_seq + 1
    if contiguous and not is_allowed(current.status, target):
        return _refuse(current, event, f"{current.status} -> {target} is not allowed")
    if not contiguous and target not in REACHABLE[current.status]:
        return _refuse(current, event, f"{target} cannot be reached from {current.status}")
    return _accept(current, event, target, advance_seq=True)


def _remember(
    current: RequestProgress,
    event: StatusEvent,
    status: RequestStatus | None = None,
    last_seq: int | None = None,
) -> RequestProgress:
    return RequestProgress(
        status=current.status if status is None else status,
        last_seq=current.last_seq if last_seq is None else last_seq,
        seen_event_ids=current.seen_event_ids | {event.event_id},
    )


def _entry(
    current: RequestProgress, event: StatusEvent, to: RequestStatus, verdict: Verdict, reason: str | None
) -> TimelineEntry:
    return TimelineEntry(event.event_id, event.type, event.seq, event.occurred_at, current.status, to, verdict, reason)


def _accept(current: RequestProgress, event: StatusEvent, target: RequestStatus, *, advance_seq: bool) -> Outcome:
    last_seq = event.seq if advance_seq else current.last_seq
    progress = _remember(current, event, status=target, last_seq=last_seq)
    entry = _entry(current, event, target, Verdict.APPLIED, event.note)
    return Outcome(Verdict.APPLIED, progress, current.status, entry)


def _ignore_stale(current: RequestProgress, event: StatusEvent) -> Outcome:
    reason = f"stale: seq {event.seq} is not newer than {current.last_seq}"
    entry = _entry(current, event, current.status, Verdict.STALE, reason)
    return Outcome(Verdict.STALE, _remember(current, event), current.status, entry, reason)


def _refuse(current: RequestProgress, event: StatusEvent, reason: str) -> Outcome:
    entry = _entry(current, event, current.status, Verdict.REFUSED, reason)
    return Outcome(Verdict.REFUSED, _remember(current, event), current.status, entry, reason)
