"""Matching: the hard filters in SQL, the explainable score in Python, then the round's first offers."""

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from taas_contracts.events.dispatch import RequestMatching
from taas_dispatch.domain.dispatch_round import DispatchRound, MarkUnfilled, RankedCandidate
from taas_dispatch.domain.filters import Exclusion, exclusion_reasons
from taas_dispatch.domain.policy import policy_for
from taas_dispatch.domain.scoring import ScoreBreakdown, rank_explained
from taas_dispatch.domain.scoring_config import ScoringWeights
from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import ActiveEngagement, RequestView
from taas_dispatch.effects import Effects
from taas_dispatch.handlers.context import Deps
from taas_dispatch.handlers.rounds import apply_step, mark_unfilled
from taas_dispatch.handlers.state import RequestState
from taas_dispatch.readmodel import provider_view, request_view
from taas_dispatch.repository import candidates, stats
from taas_dispatch.repository import providers as provider_repo
from taas_dispatch.repository import requests as request_repo

ALREADY_TRIED = Exclusion("already_tried", "turned this request down earlier")
NO_FREE_SLOT = Exclusion("at_capacity", "no free booking slot for the whole window")


async def view_of(conn: asyncpg.Connection, state: RequestState) -> RequestView:
    """The request as the domain sees it (raises ValueError when it can never be matched)."""
    assert state.submitted is not None
    zone = None
    if state.submitted.kind == "vacancy":
        zone = await provider_repo.agency_time_zone(conn, state.agency_id)
    return request_view(state.submitted, zone)


def why_not(rows: list, request: RequestView, now: datetime, tried: set[str]) -> list[tuple[str, list[Exclusion]]]:
    """The reference filters' reasons for a sample of excluded providers."""
    result = []
    for row in rows:
        provider = provider_view(row)
        booked = [ActiveEngagement(provider.provider_id, TimeWindow(r.lower, r.upper)) for r in row["booked"]]
        reasons = exclusion_reasons(provider, request, now, booked)
        if provider.provider_id in tried:
            reasons.append(ALREADY_TRIED)
        if not reasons:
            # Slots are taken greedily, so a free slot can be missing even below peak concurrency.
            reasons.append(NO_FREE_SLOT)
        result.append((provider.provider_id, reasons))
    return result


def decision_detail(ranked: list[ScoreBreakdown], excluded: list[tuple[str, list[Exclusion]]], pool_size: int,
                    pool_limit: int, logged: int, window: TimeWindow, round_number: int,
                    weights: ScoringWeights) -> dict[str, Any]:
    """The dispatch-log detail of a matching decision (bounded: top candidates and a sample of exclusions)."""
    return {
        "round": round_number,
        "window": [window.start.isoformat(), window.end.isoformat()],
        "eligible": pool_size,
        "pool_truncated": pool_size >= pool_limit,
        "weights": weights.to_dict(),
        "candidates": [b.to_dict() for b in ranked[:logged]],
        "excluded_sample": [
            {"provider_id": pid, "reasons": [r.to_dict() for r in reasons]} for pid, reasons in excluded
        ],
    }


async def start_round(conn: asyncpg.Connection, deps: Deps, state: RequestState, fx: Effects, now: datetime, *,
                      locked: bool = False) -> None:
    """Open the next round of a request: filter, score, log the decision, make the first offers."""
    if not locked:  # request intake takes the read-model lock with its insert, one round trip fewer
        await provider_repo.lock_read_model_shared(conn)
    limits = deps.config.matching
    state.round_number += 1
    fx.event(RequestMatching, round=state.round_number)
    try:
        request = await view_of(conn, state)
        window = request.engagement_window(now)
    except ValueError as error:
        state.round = None
        mark_unfilled(state, MarkUnfilled(state.request_id, state.round_number, ()), fx, now,
                      reason=f"cannot be matched: {error}")
        return
    state.window = (window.start, window.end)
    tried = set(await request_repo.tried_providers(conn, state.request_id)) if state.round_number > 1 else set()
    rows = await candidates.find(conn, request, window, now, pool=limits.candidate_pool,
                                 sample=limits.why_not_sample, since=now - timedelta(days=limits.history_days),
                                 tried=sorted(tried))
    context, reliability = stats.history(rows.history)
    pool = [provider_view(r, reliability.get(r["provider_id"]), full=False) for r in rows.eligible]
    scoring = deps.config.scoring
    order, explained = rank_explained(pool, request, context, scoring.weights, now, scoring.curves,
                                      explain=limits.logged_candidates)
    on_call = {p.provider_id for p in pool if p.is_on_call(now)}
    chosen = [RankedCandidate(pid, pid in on_call) for pid in order[: limits.max_candidates]]
    excluded = why_not(rows.excluded, request, now, tried)
    fx.log("decision", f"round {state.round_number}: {len(pool)} eligible, {len(chosen)} to try, "
                       f"{len(excluded)} excluded shown",
           detail=decision_detail(explained, excluded, len(pool), limits.candidate_pool, limits.logged_candidates,
                                  window, state.round_number, scoring.weights))
    state.ranks = {c.provider_id: i + 1 for i, c in enumerate(chosen)}
    policy = policy_for(request, deps.config.offer_policy)
    step = DispatchRound.start(state.request_id, chosen, policy, now, state.round_number)
    await apply_step(conn, deps, state, step, fx, now)
