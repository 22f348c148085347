"""Ops step in: assign a provider by hand, with a reason, logged as an override."""

from datetime import datetime

import asyncpg

from taas_dispatch.domain.dispatch_round import RoundClosed
from taas_dispatch.domain.filters import exclusion_reasons
from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import ActiveEngagement
from taas_dispatch.effects import Effects
from taas_dispatch.handlers import state as state_mod
from taas_dispatch.handlers.context import Deps
from taas_dispatch.handlers.errors import Refused, UnknownId
from taas_dispatch.handlers.matching import view_of
from taas_dispatch.handlers.rounds import apply_step, create_assignment
from taas_dispatch.readmodel import provider_view
from taas_dispatch.repository import assignments as assignment_repo
from taas_dispatch.repository import providers as provider_repo


async def assign_manually(conn: asyncpg.Connection, deps: Deps, request_id: str, provider_id: str, reason: str,
                          operator: str, now: datetime) -> str:
    """Book `provider_id` for the request whatever the score; only the booking constraint can refuse."""
    state = await state_mod.lock(conn, request_id)
    if state is None or state.submitted is None:
        raise UnknownId("request")
    if state.status in state_mod.CLOSED:
        raise Refused("request_closed", f"request {request_id} is {state.status}")
    if await assignment_repo.live_for_request(conn, request_id) is not None:
        raise Refused("already_assigned", f"request {request_id} already has a provider; release them first")
    provider = await provider_repo.get_provider(conn, provider_id)
    if provider is None:
        raise UnknownId("provider")
    overridden = []
    try:
        request = await view_of(conn, state)
        if state.window is None:
            window = request.engagement_window(now)
            state.window = (window.start, window.end)
        booked = [ActiveEngagement(provider_id, TimeWindow(r.lower, r.upper))
                  for r in await provider_repo.booked_periods(conn, provider_id)]
        overridden = [r.to_dict() for r in exclusion_reasons(provider_view(provider), request, now, booked)]
    except ValueError:
        pass
    fx = Effects(deps.settings, request_id, state.agency_id, state.seq, now)
    assignment_id = await create_assignment(conn, state, provider_id, "manual", None, None, fx, now)
    if assignment_id is None:
        raise Refused("booking_refused", f"{provider_id} holds as many overlapping engagements as their capacity")
    fx.log("override", f"{operator} assigned {provider_id} by hand: {reason}", provider_id=provider_id,
           detail={"reason": reason, "operator": operator, "overridden_filters": overridden,
                   "assignment_id": assignment_id})
    if state.round is not None:
        try:
            await apply_step(conn, deps, state, state.round.assign_manually(provider_id, now), fx, now,
                             withdraw_reason="assigned by ops")
        except RoundClosed:
            pass
    state.status = "assigned"
    await state_mod.save(conn, state, fx)
    return assignment_id
