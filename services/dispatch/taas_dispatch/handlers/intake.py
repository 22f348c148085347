"""Inputs from other services: submitted and cancelled requests, provider and agency snapshots."""

import contextlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg

from taas_contracts.envelope import Envelope
from taas_contracts.events.availability import ProviderSnapshot
from taas_contracts.events.dispatch import AssignmentReleased
from taas_contracts.events.requests import AgencySnapshot, RequestCancelled, RequestSubmitted
from taas_dispatch.domain.assignments import ReleaseCause
from taas_dispatch.domain.dispatch_round import MarkUnfilled, RoundClosed
from taas_dispatch.effects import Effects
from taas_dispatch.handlers import state as state_mod
from taas_dispatch.handlers.context import Deps
from taas_dispatch.handlers.matching import start_round
from taas_dispatch.handlers.rematch import schedule_for_provider
from taas_dispatch.handlers.rounds import apply_step, mark_unfilled
from taas_dispatch.readmodel import provider_row
from taas_dispatch.repository import assignments as assignment_repo
from taas_dispatch.repository import providers as provider_repo
from taas_dispatch.repository import requests as request_repo
from taas_kit.consumer import ATTEMPT, PoisonMessage
from taas_kit.logging import get_logger

log = get_logger("taas.dispatch.intake")
_TRANSIENT = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.DeadlockDetectedError,
              asyncpg.SerializationError, asyncpg.QueryCanceledError)


def _now() -> datetime:
    return datetime.now(UTC)


async def request_submitted(conn: asyncpg.Connection, deps: Deps, event: RequestSubmitted, envelope: Envelope) -> None:
    """Store the request and match it at once: the hot path, a handful of statements in this transaction."""
    now = _now()
    fresh = await request_repo.insert_submitted(  # and takes the read-model lock for matching
        conn, event.model_dump(mode="json"), request_id=event.request_id, agency_id=event.agency_id,
        role=str(event.role), kind=str(event.kind), severity=str(event.severity) if event.severity else None)
    if not fresh:
        return
    state = state_mod.RequestState(event.request_id, event.agency_id, "matching", 0, 0, event)
    fx = Effects(deps.settings, event.request_id, event.agency_id, 0, now, envelope.id)
    # Matching runs without a savepoint (two round trips fewer); when it fails, the runner retries the message and
    # matching runs inside one, so a bug leaves the request unfilled instead of dead-lettering it.
    guarded = ATTEMPT.get() > 1
    try:
        async with conn.transaction() if guarded else contextlib.nullcontext():
            await start_round(conn, deps, state, fx, now, locked=True)
    except _TRANSIENT:
        raise
    except Exception as error:
        if not guarded:
            log.warning("matching failed; retrying within a savepoint", request_id=event.request_id,
                        error=repr(error)[:300])
            raise
        log.exception("matching failed; the request is marked unfilled", request_id=event.request_id)
        state = state_mod.RequestState(event.request_id, event.agency_id, "matching", 0, 1, event)
        fx = Effects(deps.settings, event.request_id, event.agency_id, 0, now, envelope.id)
        mark_unfilled(state, MarkUnfilled(event.request_id, 1, ()), fx, now,
                      reason=f"dispatch could not match it ({type(error).__name__}); ops must assign by hand")
    await state_mod.save(conn, state, fx)


async def request_cancelled(conn: asyncpg.Connection, deps: Deps, event: RequestCancelled, envelope: Envelope) -> None:
    """Withdraw open offers and release the provider (no re-dispatch); the request is closed."""
    now = _now()
    state = await state_mod.lock(conn, event.request_id)
    if state is None:
        await request_repo.insert_cancelled(conn, event.request_id, event.agency_id)
        return
    if state.status in state_mod.CLOSED:
        return
    fx = Effects(deps.settings, state.request_id, state.agency_id, state.seq, now, envelope.id)
    by = "ops" if event.cancelled_by == "ops" else "agency"
    freed = await release_live(conn, state, ReleaseCause.AGENCY_CANCELLATION, f"request cancelled: {event.reason}",
                               by, False, fx, now)
    if state.round is not None:
        try:
            await apply_step(conn, deps, state, state.round.cancel(now), fx, now, withdraw_reason="request cancelled")
        except RoundClosed:
            pass
    state.status = "cancelled"
    fx.log("outcome", f"cancelled by {by}: {event.reason}", detail={"reason": event.reason, "by": by})
    await state_mod.save(conn, state, fx)
    if freed is not None:
        await schedule_for_provider(conn, deps, freed, now)


async def release_live(conn: asyncpg.Connection, state: state_mod.RequestState, cause: ReleaseCause, reason: str,
                       by: str, redispatch: bool, fx: Effects, now: datetime) -> str | None:
    """Release the request's live assignment, if any, and free its booking; returns the freed provider."""
    row = await assignment_repo.live_for_request(conn, state.request_id)
    if row is None:
        return None
    released = (await assignment_repo.load(conn, row)).release(now, cause, reason)
    await assignment_repo.save(conn, released)
    await assignment_repo.unbook(conn, released.assignment_id)
    fx.event(AssignmentReleased, assignment_id=released.assignment_id, provider_id=released.provider_id,
             reason=reason, by=by, redispatch=redispatch)
    fx.log("outcome", f"{released.provider_id} released ({by}): {reason}", provider_id=released.provider_id,
           detail={"assignment_id": released.assignment_id, "cause": str(cause), "redispatch": redispatch})
    return released.provider_id


async def provider_snapshot(conn: asyncpg.Connection, deps: Deps, event: ProviderSnapshot, envelope: Envelope) -> None:
    """Update the read model; unfilled requests this provider could now take are queued for re-matching."""
    try:
        ZoneInfo(event.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise PoisonMessage(f"provider {event.provider_id}: unknown time zone {event.time_zone!r}") from error
    await provider_repo.lock_read_model_exclusive(conn)
    if not await provider_repo.upsert_provider(conn, provider_row(event)):
        return
    await schedule_for_provider(conn, deps, event.provider_id, _now())


async def agency_snapshot(conn: asyncpg.Connection, deps: Deps, event: AgencySnapshot, envelope: Envelope) -> None:
    """Keep the agency's time zone (vacancy weeks are counted in it)."""
    await provider_repo.upsert_agency(conn, event.agency_id, event.name, event.time_zone, event.active, event.version)
