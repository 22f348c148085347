"""Use case of the sliding horizon: republish snapshots whose precomputed availability is getting short."""

from datetime import datetime, timedelta

import asyncpg

from taas_availability.handlers import snapshots
from taas_availability.handlers.state import state_of
from taas_availability.repository import providers as repo
from taas_availability.settings import AvailabilitySettings


async def refresh_due(pool: asyncpg.Pool, settings: AvailabilitySettings, now: datetime) -> int:
    """Recompute and republish every snapshot whose horizon ends too soon; returns how many.

    Each batch locks its rows with SKIP LOCKED, so instances running this at once share the work.
    """
    threshold = now + timedelta(days=settings.horizon_days) - timedelta(hours=settings.horizon_slack_hours)
    done = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            rows = await repo.lock_due_for_refresh(conn, threshold, settings.refresh_batch_size)
            for row in rows:
                await snapshots.commit(conn, settings, row["id"], state_of(row), now)
        done += len(rows)
        if len(rows) < settings.refresh_batch_size:
            return done
