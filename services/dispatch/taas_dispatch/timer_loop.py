"""The timer loop: claims due timers with FOR UPDATE SKIP LOCKED and fires each in its own transaction."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
from aiohttp import web
from prometheus_client import Counter

from taas_dispatch.handlers import deadlines
from taas_dispatch.handlers.context import Deps
from taas_dispatch.keys import DEPS
from taas_dispatch.repository import timers
from taas_kit.backoff import Backoff
from taas_kit.http.keys import POOL
from taas_kit.logging import bound, get_logger

log = get_logger("taas.dispatch.timers")
RETRY_AFTER = timedelta(seconds=30)
_TRANSIENT = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.DeadlockDetectedError,
              asyncpg.SerializationError)
FIRED = Counter("taas_dispatch_timers_fired_total", "Timers fired", ["kind"])


async def fire_due(pool: asyncpg.Pool, deps: Deps, limit: int) -> int:
    """Fire up to `limit` due timers; returns how many fired. Safe with any number of instances."""
    fired = 0
    while fired < limit:
        claimed: list = []
        try:
            async with pool.acquire() as conn, conn.transaction():
                now = datetime.now(UTC)
                timer = await timers.claim_due(conn, now)
                if timer is None:
                    return fired
                claimed.append(timer)
                with bound(timer_kind=timer["kind"], request_id=timer["request_id"], ref_id=timer["ref_id"]):
                    await deadlines.fire(conn, deps, timer, now)
                await timers.delete(conn, timer["id"])
        except _TRANSIENT:
            raise
        except Exception:  # noqa: BLE001 - one broken timer must not block every later one
            if not claimed:
                raise
            log.exception("timer failed; retrying it later", timer_id=claimed[0]["id"], kind=claimed[0]["kind"])
            async with pool.acquire() as conn:
                await timers.postpone(conn, claimed[0]["id"], RETRY_AFTER)
            continue
        FIRED.labels(timer["kind"]).inc()
        fired += 1
    return fired


async def run_timers(app: web.Application) -> None:
    """Poll for due timers until cancelled (the background context restarts it after a crash)."""
    deps, pool = app[DEPS], app[POOL]
    backoff = Backoff(first=deps.settings.timer_poll_seconds, cap=5.0)
    while True:
        try:
            fired = await fire_due(pool, deps, deps.settings.timer_batch)
        except _TRANSIENT as exc:
            if backoff.failures == 0:  # once per outage, not once per poll
                log.warning("timer loop hit a transient error; retrying", error=repr(exc))
            await backoff.failed()
            continue
        if backoff.failures:
            log.info("timer loop recovered", attempts=backoff.succeeded())
        if fired < deps.settings.timer_batch:
            await asyncio.sleep(deps.settings.timer_poll_seconds)
