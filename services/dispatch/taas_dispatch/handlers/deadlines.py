"""Timers firing: an offer's answer deadline, an on-call acknowledgement deadline, a queued re-match."""

from datetime import datetime

import asyncpg

from taas_contracts.events.dispatch import AssignmentReleased, OfferExpired
from taas_dispatch.domain.dispatch_round import RoundStatus
from taas_dispatch.effects import Effects
from taas_dispatch.handlers import state as state_mod
from taas_dispatch.handlers.context import Deps
from taas_dispatch.handlers.matching import start_round
from taas_dispatch.handlers.rounds import apply_step
from taas_dispatch.repository import assignments as assignment_repo
from taas_dispatch.repository import offers as offer_repo
from taas_dispatch.repository import timers


async def fire(conn: asyncpg.Connection, deps: Deps, timer: asyncpg.Record, now: datetime) -> None:
    """Carry out one due timer; the caller deletes it in this transaction, so it fires exactly once."""
    state = await state_mod.lock(conn, timer["request_id"])
    if state is None:
        return
    fx = Effects(deps.settings, state.request_id, state.agency_id, state.seq, now)
    if timer["kind"] == timers.OFFER_EXPIRY:
        await _offer_expired(conn, deps, state, timer["ref_id"], fx, now)
    elif timer["kind"] == timers.ACK_DEADLINE:
        await _acknowledgement_missed(conn, deps, state, timer["ref_id"], fx, now)
    elif timer["kind"] == timers.REMATCH and state.status == "unfilled":
        fx.log("decision", "matching again: a provider who could take it became available")
        await start_round(conn, deps, state, fx, now)
    else:
        return
    await state_mod.save(conn, state, fx)


async def _offer_expired(conn: asyncpg.Connection, deps: Deps, state: state_mod.RequestState, offer_id: str,
                         fx: Effects, now: datetime) -> None:
    row = await offer_repo.get(conn, offer_id)
    if row is None or row["status"] != "pending" or state.round is None or row["round_number"] != state.round_number:
        return
    provider_id = row["provider_id"]
    step = state.round.on_expire(provider_id, now)
    await offer_repo.update(conn, [step.round.offer_to(provider_id)])
    fx.event(OfferExpired, offer_id=offer_id, provider_id=provider_id)
    fx.log("deadline", f"{provider_id} did not answer by {row['expires_at'].isoformat()}", provider_id=provider_id,
           detail={"offer_id": offer_id})
    await apply_step(conn, deps, state, step, fx, now)


async def _acknowledgement_missed(conn: asyncpg.Connection, deps: Deps, state: state_mod.RequestState,
                                  assignment_id: str, fx: Effects, now: datetime) -> None:
    row = await assignment_repo.get(conn, assignment_id)
    if row is None or row["status"] != "assigned" or row["acknowledge_by"] is None:
        return
    released = (await assignment_repo.load(conn, row)).miss_acknowledgement(now)
    await assignment_repo.save(conn, released)
    await assignment_repo.unbook(conn, assignment_id)
    fx.event(AssignmentReleased, assignment_id=assignment_id, provider_id=released.provider_id,
             reason="not acknowledged in time", by="system", redispatch=True)
    fx.log("deadline", f"{released.provider_id} did not acknowledge by {row['acknowledge_by'].isoformat()}",
           provider_id=released.provider_id, detail={"assignment_id": assignment_id})
    rnd = state.round
    if rnd is not None and rnd.status is RoundStatus.AWAITING_ACKNOWLEDGEMENT \
            and rnd.assigned_provider_id == released.provider_id:
        step = rnd.on_acknowledgement_missed(released.provider_id, now)
        if step.round.status is not RoundStatus.UNFILLED:
            await apply_step(conn, deps, state, step, fx, now)
            return
    # A release re-dispatches: when this round has nobody left, the pool as it is now gets a new round (the
    # provider who stayed silent is excluded as tried), rather than waiting for some snapshot to change.
    await start_round(conn, deps, state, fx, now)
