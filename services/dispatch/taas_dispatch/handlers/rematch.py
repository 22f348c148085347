"""Unfilled requests are matched again when a provider could change the answer (a snapshot, freed capacity)."""

from datetime import datetime

import asyncpg

from taas_contracts.events.requests import RequestSubmitted
from taas_dispatch.domain.filters import exclusion_reasons
from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import ActiveEngagement
from taas_dispatch.handlers.context import Deps
from taas_dispatch.readmodel import provider_view, request_view
from taas_dispatch.repository import providers as provider_repo
from taas_dispatch.repository import requests as request_repo
from taas_dispatch.repository import timers


async def schedule_for_provider(conn: asyncpg.Connection, deps: Deps, provider_id: str, now: datetime) -> int:
    """Queue a re-match of every unfilled request (oldest first, bounded) this provider could now take."""
    row = await provider_repo.get_provider(conn, provider_id)
    if row is None or row["status"] != "active":
        return 0
    provider = provider_view(row)
    booked = [ActiveEngagement(provider_id, TimeWindow(r.lower, r.upper))
              for r in await provider_repo.booked_periods(conn, provider_id)]
    waiting = await request_repo.unfilled_for_roles(conn, list(row["roles"]), deps.config.matching.rematch_per_snapshot)
    due = []
    for candidate in waiting:
        try:
            request = request_view(RequestSubmitted.model_validate(candidate["submitted"]),
                                   candidate["agency_time_zone"])
        except ValueError:
            continue
        if exclusion_reasons(provider, request, now, booked):
            continue
        if provider_id in await request_repo.tried_providers(conn, candidate["request_id"]):
            continue
        due.append((timers.REMATCH, candidate["request_id"], candidate["request_id"], now))
    await timers.add(conn, due)
    return len(due)
