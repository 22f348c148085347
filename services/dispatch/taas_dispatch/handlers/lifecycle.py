"""The assignment lifecycle as the provider drives it: acknowledge, start, log time, complete, release."""

import uuid
from datetime import datetime

import asyncpg

from taas_contracts.events.dispatch import (
    AssignmentAcknowledged,
    AssignmentCompleted,
    AssignmentStarted,
    TimeLogged,
)
from taas_contracts.events.dispatch import TimeEntry as TimeEntryPayload
from taas_dispatch.domain.assignments import Assignment, ReleaseCause, TimeEntry
from taas_dispatch.domain.dispatch_round import RoundStatus
from taas_dispatch.effects import Effects
from taas_dispatch.handlers import state as state_mod
from taas_dispatch.handlers.context import Deps
from taas_dispatch.handlers.errors import UnknownId
from taas_dispatch.handlers.intake import release_live
from taas_dispatch.handlers.matching import start_round
from taas_dispatch.handlers.rematch import schedule_for_provider
from taas_dispatch.repository import assignments as assignment_repo
from taas_dispatch.repository import timers


class _Open:
    """A locked request with one of its assignments, loaded for a change."""

    def __init__(self, state: state_mod.RequestState, row: asyncpg.Record, assignment: Assignment,
                 fx: Effects) -> None:
        self.state, self.row, self.assignment, self.fx = state, row, assignment, fx


async def _open(conn: asyncpg.Connection, deps: Deps, assignment_id: str, provider_id: str | None,
                now: datetime) -> _Open:
    """Lock the assignment's request first (the one lock order), then read the assignment."""
    peek = await assignment_repo.get(conn, assignment_id)
    if peek is None or (provider_id is not None and peek["provider_id"] != provider_id):
        raise UnknownId("assignment")
    state = await state_mod.lock(conn, peek["request_id"])
    row = await assignment_repo.get(conn, assignment_id)
    assignment = await assignment_repo.load(conn, row)
    return _Open(state, row, assignment, Effects(deps.settings, state.request_id, state.agency_id, state.seq, now))


async def _close(conn: asyncpg.Connection, o: _Open) -> None:
    await state_mod.save(conn, o.state, o.fx)


def entry_payload(entry: TimeEntry) -> TimeEntryPayload:
    """The contract form of a time entry."""
    return TimeEntryPayload(entry_id=entry.entry_id, started_at=entry.started_at, ended_at=entry.ended_at,
                            note=entry.note)


async def acknowledge(conn: asyncpg.Connection, deps: Deps, assignment_id: str, provider_id: str,
                      now: datetime) -> Assignment:
    """The on-call provider confirms before the deadline; the round is done."""
    o = await _open(conn, deps, assignment_id, provider_id, now)
    done = o.assignment.acknowledge(now)
    await assignment_repo.save(conn, done)
    await timers.cancel(conn, timers.ACK_DEADLINE, assignment_id)
    rnd = o.state.round
    if rnd is not None and rnd.status is RoundStatus.AWAITING_ACKNOWLEDGEMENT and rnd.assigned_provider_id == provider_id:
        o.state.round = rnd.on_acknowledged(provider_id, now).round
    o.fx.event(AssignmentAcknowledged, assignment_id=assignment_id, provider_id=provider_id)
    o.fx.log("answer", f"{provider_id} acknowledged", provider_id=provider_id, detail={"assignment_id": assignment_id})
    await _close(conn, o)
    return done


async def start(conn: asyncpg.Connection, deps: Deps, assignment_id: str, provider_id: str,
                now: datetime) -> Assignment:
    """The provider starts work."""
    o = await _open(conn, deps, assignment_id, provider_id, now)
    done = o.assignment.start(now)
    await assignment_repo.save(conn, done)
    o.state.status = "in_progress"
    o.fx.event(AssignmentStarted, assignment_id=assignment_id, provider_id=provider_id)
    await _close(conn, o)
    return done


async def log_time(conn: asyncpg.Connection, deps: Deps, assignment_id: str, provider_id: str, started_at: datetime,
                   minutes: int, note: str, entry_id: str | None, now: datetime) -> Assignment:
    """Record a stretch of work (positive, past, after the start, overlapping no other entry)."""
    o = await _open(conn, deps, assignment_id, provider_id, now)
    entry = TimeEntry(entry_id or str(uuid.uuid4()), started_at, minutes, note)
    done = o.assignment.log_time(entry, now)
    await assignment_repo.add_time_entry(conn, assignment_id, entry)
    o.fx.event(TimeLogged, assignment_id=assignment_id, provider_id=provider_id, entry=entry_payload(entry))
    await _close(conn, o)
    return done


async def complete(conn: asyncpg.Connection, deps: Deps, assignment_id: str, provider_id: str,
                   now: datetime, confirm_no_time: bool = False) -> Assignment:
    """The work is done: the booking is freed and billing gets every time entry."""
    o = await _open(conn, deps, assignment_id, provider_id, now)
    done = o.assignment.complete(now, confirm_no_time)
    await assignment_repo.save(conn, done)
    await assignment_repo.unbook(conn, assignment_id)
    o.state.status = "completed"
    r = o.row
    o.fx.event(AssignmentCompleted, assignment_id=assignment_id, provider_id=provider_id,
               provider_home_jurisdiction_id=r["home_jurisdiction_id"], provider_firm=r["firm"],
               rate_cents=r["rate_cents"], kind=r["kind"], severity=r["severity"],
               entries=[entry_payload(e) for e in done.time_entries])
    o.fx.log("outcome", f"{provider_id} completed the work ({done.logged_minutes} min logged)",
             provider_id=provider_id, detail={"assignment_id": assignment_id, "minutes": done.logged_minutes})
    await _close(conn, o)
    await schedule_for_provider(conn, deps, provider_id, now)
    return done


async def release(conn: asyncpg.Connection, deps: Deps, assignment_id: str, provider_id: str | None, reason: str,
                  now: datetime) -> None:
    """The provider (or ops) gives the work back: the request is dispatched again at once."""
    o = await _open(conn, deps, assignment_id, provider_id, now)
    if o.row["status"] not in ("assigned", "acknowledged", "started"):
        o.assignment.release(now, ReleaseCause.PROVIDER, reason)  # raises the domain's refusal
    by, cause = ("provider", ReleaseCause.PROVIDER) if provider_id else ("ops", ReleaseCause.OPS)
    freed = await release_live(conn, o.state, cause, reason, by, True, o.fx, now)
    await start_round(conn, deps, o.state, o.fx, now)
    await _close(conn, o)
    if by == "ops" and freed is not None:
        await schedule_for_provider(conn, deps, freed, now)


