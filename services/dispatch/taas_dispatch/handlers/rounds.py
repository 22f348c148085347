"""Carry out what a dispatch round decided: offers, withdrawals, on-call assignments, unfilled requests."""

import uuid
from datetime import datetime

import asyncpg

from taas_contracts.events.dispatch import AssignmentCreated, OfferCreated, OfferWithdrawn, RequestUnfilled
from taas_dispatch.domain.dispatch_round import (
    AssignOnCall,
    BookProvider,
    CreateOffer,
    MarkUnfilled,
    RoundStep,
    WithdrawOffer,
)
from taas_dispatch.domain.offers import Offer
from taas_dispatch.effects import Effects
from taas_dispatch.handlers.context import Deps
from taas_dispatch.handlers.state import STATUS_OF_ROUND, RequestState
from taas_dispatch.repository import assignments as assignment_repo
from taas_dispatch.repository import offers as offer_repo
from taas_dispatch.repository import providers as provider_repo
from taas_dispatch.repository import timers
from taas_kit.logging import get_logger

log = get_logger("taas.dispatch.rounds")


async def apply_step(conn: asyncpg.Connection, deps: Deps, state: RequestState, step: RoundStep, fx: Effects,
                     now: datetime, withdraw_reason: str = "another provider accepted first") -> None:
    """Make the round's decisions real: rows, timers, events and log records, in the caller's transaction."""
    state.round = step.round
    state.status = STATUS_OF_ROUND[step.round.status]
    created = [a.offer for a in step.actions if isinstance(a, CreateOffer)]
    withdrawn = [a.offer for a in step.actions if isinstance(a, WithdrawOffer)]
    if withdrawn:
        await _withdraw(conn, withdrawn, fx, withdraw_reason)
    if created:
        _offer(state, created, fx)
    for action in step.actions:
        if isinstance(action, AssignOnCall):
            await _assign_on_call(conn, deps, state, action, fx, now)
        elif isinstance(action, MarkUnfilled):
            mark_unfilled(state, action, fx, now)
        elif isinstance(action, BookProvider):
            raise AssertionError("bookings of accepted offers are made by the accept use case")


def _offer(state: RequestState, offers: list[Offer], fx: Effects) -> None:
    rows = [(o, state.round_number, state.ranks.get(o.provider_id, 0)) for o in offers]
    fx.offers(rows)  # stored with their deadlines when the use case writes its effects
    for offer, _, rank in rows:
        fx.event(OfferCreated, offer_id=offer.offer_id, provider_id=offer.provider_id, expires_at=offer.expires_at,
                 rank=rank)
        fx.log("offer", f"offered to {offer.provider_id} (rank {rank}) until {offer.expires_at.isoformat()}",
               provider_id=offer.provider_id, detail={"offer_id": offer.offer_id, "rank": rank,
                                                       "round": state.round_number})


async def _withdraw(conn: asyncpg.Connection, offers: list[Offer], fx: Effects, reason: str) -> None:
    await offer_repo.update(conn, offers)
    for offer in offers:
        fx.event(OfferWithdrawn, offer_id=offer.offer_id, provider_id=offer.provider_id, reason=reason)
        fx.log("offer", f"offer to {offer.provider_id} withdrawn: {reason}", provider_id=offer.provider_id,
               detail={"offer_id": offer.offer_id})


async def _assign_on_call(conn: asyncpg.Connection, deps: Deps, state: RequestState, action: AssignOnCall,
                          fx: Effects, now: datetime) -> None:
    assignment_id = await create_assignment(conn, state, action.provider_id, "on_call", None, action.acknowledge_by,
                                            fx, now)
    if assignment_id is None:
        fx.log("outcome", f"on-call {action.provider_id} could not be booked (a race lost); moving on",
               provider_id=action.provider_id, detail={"reason": "booking_refused"})
        await apply_step(conn, deps, state, state.round.on_assignment_refused(action.provider_id, now), fx, now)


async def create_assignment(conn: asyncpg.Connection, state: RequestState, provider_id: str, via: str,
                            offer_id: str | None, acknowledge_by: datetime | None, fx: Effects,
                            now: datetime) -> str | None:
    """Book the provider for the request's window; None (nothing stored) when the database refuses."""
    provider = await provider_repo.get_provider(conn, provider_id)
    submitted = state.submitted
    if provider is None or submitted is None or state.window is None:
        return None
    assignment_id = str(uuid.uuid4())
    row = {
        "assignment_id": assignment_id, "request_id": state.request_id, "agency_id": state.agency_id,
        "provider_id": provider_id, "offer_id": offer_id, "round_number": state.round_number, "via": via,
        "status": "assigned", "assigned_at": now, "acknowledge_by": acknowledge_by,
        "rate_cents": provider["hourly_rate_cents"], "home_jurisdiction_id": provider["home_jurisdiction_id"],
        "firm": provider["firm"], "kind": str(submitted.kind),
        "severity": str(submitted.severity) if submitted.severity else None, "role": str(submitted.role),
        "window_start": state.window[0], "window_end": state.window[1],
    }
    slot = await assignment_repo.insert_booked(conn, row)
    if slot is None:
        return None
    if acknowledge_by is not None:
        await timers.add(conn, [(timers.ACK_DEADLINE, state.request_id, assignment_id, acknowledge_by)])
    fx.event(AssignmentCreated, assignment_id=assignment_id, provider_id=provider_id,
             provider_home_jurisdiction_id=provider["home_jurisdiction_id"], provider_firm=provider["firm"],
             rate_cents=provider["hourly_rate_cents"], kind=submitted.kind, severity=submitted.severity,
             role=submitted.role, window_start=state.window[0], window_end=state.window[1], via=via,
             ack_deadline=acknowledge_by)
    how = {"offer": "accepted the offer", "on_call": "on call, assigned at once", "manual": "assigned by ops"}[via]
    fx.log("outcome", f"assigned {provider_id} ({how})", provider_id=provider_id,
           detail={"assignment_id": assignment_id, "via": via, "slot": slot, "rate_cents": row["rate_cents"],
                   "acknowledge_by": acknowledge_by.isoformat() if acknowledge_by else None})
    return assignment_id


def mark_unfilled(state: RequestState, action: MarkUnfilled, fx: Effects, now: datetime,
                  reason: str | None = None) -> None:
    """Nobody is left: the request waits, visible to ops, until a provider snapshot could change the answer."""
    if reason is None:
        reason = ("no eligible provider" if not action.outcomes
                  else "every candidate declined, missed the deadline or was booked elsewhere")
    state.status, state.unfilled_reason, state.unfilled_at = "unfilled", reason, now
    fx.event(RequestUnfilled, reason=reason, candidates_considered=len(action.outcomes))
    fx.log("outcome", f"unfilled: {reason}", detail={
        "round": state.round_number, "reason": reason,
        "outcomes": [{"provider_id": pid, "outcome": outcome} for pid, outcome in action.outcomes],
    })
    log.error("request unfilled", request_id=state.request_id, agency_id=state.agency_id, reason=reason,
              round=state.round_number, candidates_tried=len(action.outcomes))
