"""Periodic work: republish snapshots whose horizon got short, raise credential warnings.

Both are safe on several instances: the refresh locks rows with SKIP LOCKED, alerts dedupe on a primary key.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web

from taas_availability.handlers import credentials, refresh
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.logging import get_logger

log = get_logger("taas.availability.loops")


async def _every(period: float, name: str, work: Callable[[], Awaitable[int]]) -> None:
    while True:
        done = await work()
        if done:
            log.info("periodic work done", task=name, count=done)
        await asyncio.sleep(period)


async def run_horizon_refresh(app: web.Application) -> None:
    """Republish snapshots whose availability horizon is short, every refresh period."""
    s = app[SETTINGS]
    await _every(s.refresh_period_seconds, "horizon-refresh",
                 lambda: refresh.refresh_due(app[POOL], s, datetime.now(UTC)))


async def run_credential_check(app: web.Application) -> None:
    """Raise CredentialExpiring events that are due, every check period."""
    s = app[SETTINGS]
    await _every(s.credential_check_period_seconds, "credential-check",
                 lambda: credentials.check_all(app[POOL], s, datetime.now(UTC).date()))
