"""Providers answer offers: accept (first accept wins, the database books) or decline with a reason."""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from taas_contracts.events.dispatch import OfferAccepted, OfferDeclined
from taas_dispatch.domain.dispatch_round import BOOKING_REFUSED_REASON, BookProvider, RoundStep
from taas_dispatch.domain.offers import OfferWithdrawn
from taas_dispatch.effects import Effects
from taas_dispatch.handlers import state as state_mod
from taas_dispatch.handlers.context import Deps
from taas_dispatch.handlers.errors import Refused, UnknownId
from taas_dispatch.handlers.rounds import apply_step, create_assignment
from taas_dispatch.repository import offers as offer_repo
from taas_dispatch.repository import timers


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of an answer: the offer's new status, and the assignment when an accept was booked."""

    offer_id: str
    request_id: str
    status: str
    assignment_id: str | None = None
    refusal: Refused | None = None


async def _open(conn: asyncpg.Connection, provider_id: str, offer_id: str) -> tuple[state_mod.RequestState, str]:
    row = await offer_repo.get(conn, offer_id)
    if row is None or row["provider_id"] != provider_id:
        raise UnknownId("offer")
    state = await state_mod.lock(conn, row["request_id"])
    assert state is not None
    if state.round is None or row["round_number"] != state.round_number:
        offer = offer_repo.to_offer(row)
        if offer.is_pending:
            raise OfferWithdrawn(f"offer {offer_id} belongs to a finished dispatch round")
        offer.accept(offer.created_at)  # raises how it was closed: answered, expired or withdrawn
    return state, row["request_id"]


async def accept(conn: asyncpg.Connection, deps: Deps, provider_id: str, offer_id: str, now: datetime,
                 causation_id: str | None = None) -> Answer:
    """First accept wins: book the provider, withdraw the other offers; a refused booking moves on."""
    state, request_id = await _open(conn, provider_id, offer_id)
    before = state.round
    step = before.on_accept(provider_id, now)
    fx = Effects(deps.settings, request_id, state.agency_id, state.seq, now, causation_id)
    mark = fx.mark()
    fx.event(OfferAccepted, offer_id=offer_id, provider_id=provider_id)
    fx.log("answer", f"{provider_id} accepted", provider_id=provider_id, detail={"offer_id": offer_id})
    assignment_id = await create_assignment(conn, state, provider_id, "offer", offer_id, None, fx, now)
    await timers.cancel(conn, timers.OFFER_EXPIRY, offer_id)
    if assignment_id is None:
        fx.reset(mark)
        step = before.on_booking_refused(provider_id, now)
        await offer_repo.update(conn, [step.round.offer_to(provider_id)])
        fx.event(OfferDeclined, offer_id=offer_id, provider_id=provider_id, reason=BOOKING_REFUSED_REASON)
        fx.log("answer", f"{provider_id} accepted but is booked elsewhere for an overlapping window; moving on",
               provider_id=provider_id, detail={"offer_id": offer_id, "reason": BOOKING_REFUSED_REASON})
        await apply_step(conn, deps, state, step, fx, now)
        await state_mod.save(conn, state, fx)
        refusal = Refused("booking_refused", "you already hold as many overlapping engagements as your capacity "
                                             "allows; the offer was closed")
        return Answer(offer_id, request_id, "declined", refusal=refusal)
    await offer_repo.update(conn, [step.round.offer_to(provider_id)])
    rest = RoundStep(step.round, tuple(a for a in step.actions if not isinstance(a, BookProvider)))
    await apply_step(conn, deps, state, rest, fx, now)
    await state_mod.save(conn, state, fx)
    return Answer(offer_id, request_id, "accepted", assignment_id)


async def decline(conn: asyncpg.Connection, deps: Deps, provider_id: str, offer_id: str, reason: str, now: datetime,
                  causation_id: str | None = None) -> Answer:
    """A provider says no: the next candidate is offered (or the request is unfilled)."""
    state, request_id = await _open(conn, provider_id, offer_id)
    step = state.round.on_decline(provider_id, now, reason)
    fx = Effects(deps.settings, request_id, state.agency_id, state.seq, now, causation_id)
    await offer_repo.update(conn, [step.round.offer_to(provider_id)])
    await timers.cancel(conn, timers.OFFER_EXPIRY, offer_id)
    fx.event(OfferDeclined, offer_id=offer_id, provider_id=provider_id, reason=reason)
    fx.log("answer", f"{provider_id} declined: {reason}", provider_id=provider_id,
           detail={"offer_id": offer_id, "reason": reason})
    await apply_step(conn, deps, state, step, fx, now)
    await state_mod.save(conn, state, fx)
    return Answer(offer_id, request_id, "declined")
