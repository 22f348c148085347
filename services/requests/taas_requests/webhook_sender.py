"""The webhook delivery loop: leases due deliveries (FOR UPDATE SKIP LOCKED), sends them signed, logs each try."""

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import aiohttp
import asyncpg
from aiohttp import web

from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.logging import get_logger
from taas_requests.domain.webhooks import SIGNATURE_HEADER, RetryPolicy, next_attempt_at, signature_header
from taas_requests.hub import HUB
from taas_requests.repository import webhooks as repo
from taas_requests.settings import RequestsSettings

log = get_logger("taas.requests.webhooks")


@dataclass(frozen=True, slots=True)
class Result:
    """What one try gave."""

    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def delivered(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


def policy_of(settings: RequestsSettings) -> RetryPolicy:
    """The retry policy the settings describe."""
    return RetryPolicy(base=timedelta(seconds=settings.webhook_retry_base_seconds),
                       cap=timedelta(seconds=settings.webhook_retry_cap_seconds),
                       max_attempts=settings.webhook_max_attempts)


async def send(http: aiohttp.ClientSession, row: asyncpg.Record) -> Result:
    """POST one delivery with its signature; never raises for the receiver's failures."""
    now = datetime.now(UTC)
    started = time.perf_counter()
    if urlsplit(row["url"]).scheme not in ("http", "https"):
        return Result(now, None, "only http(s) URLs are delivered to", 0.0)
    body = row["body"].encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature_header(row["secret"], body, now),
               "Taas-Event-Id": str(row["event_id"]), "Taas-Event-Type": row["event_type"],
               "Taas-Delivery-Attempt": str(row["attempts"]), "User-Agent": "taas-requests-webhooks/1"}
    try:
        async with http.post(row["url"], data=body, headers=headers, allow_redirects=False) as resp:
            await resp.read()
            error = None if 200 <= resp.status < 300 else f"HTTP {resp.status}"
            return Result(now, resp.status, error, (time.perf_counter() - started) * 1000)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
        return Result(now, None, f"{type(exc).__name__}: {exc}"[:300], (time.perf_counter() - started) * 1000)


async def deliver_due(pool: asyncpg.Pool, http: aiohttp.ClientSession, settings: RequestsSettings,
                      policy: RetryPolicy, rng: random.Random) -> int:
    """Send every due delivery once (in parallel) and record the outcomes; returns how many were tried."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await repo.claim_due(conn, settings.webhook_batch_size, settings.webhook_lease_seconds)
    if not rows:
        return 0
    results = await asyncio.gather(*(send(http, row) for row in rows))
    async with pool.acquire() as conn, conn.transaction():
        for row, result in zip(rows, results, strict=True):
            retry_at = None if result.delivered else next_attempt_at(row["attempts"], result.at, rng, policy)
            await repo.record_attempt(conn, row["id"], row["attempts"], at=result.at, status_code=result.status_code,
                                      error=result.error, duration_ms=result.duration_ms,
                                      delivered=result.delivered, next_attempt_at=retry_at)
            if not result.delivered:
                log.info("webhook delivery failed", delivery_id=str(row["id"]), attempt=row["attempts"],
                         error=result.error, retry_at=retry_at.isoformat() if retry_at else None)
    return len(rows)


async def _sleep_until_due(pool: asyncpg.Pool, wake: asyncio.Event, poll: float, coalesce: float = 0.0) -> None:
    async with pool.acquire() as conn:
        due = await repo.next_due_at(conn)
    wait = poll if due is None else max(0.0, min(poll, (due - datetime.now(UTC)).total_seconds()))
    if wait > 0:
        wake.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(wake.wait(), wait)
            # Woken by a change: let a burst of changes gather, so one claim serves them all (not one per change).
            await asyncio.sleep(coalesce)


async def run_sender(app: web.Application) -> None:
    """Deliver until cancelled: woken by every committed change that queued deliveries, and by the next due retry."""
    settings: RequestsSettings = app[SETTINGS]
    pool, wake = app[POOL], app[HUB].waker()
    policy, rng = policy_of(settings), random.Random()
    timeout = aiohttp.ClientTimeout(total=settings.webhook_timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        while True:
            if await deliver_due(pool, http, settings, policy, rng) == 0:
                await _sleep_until_due(pool, wake, settings.webhook_poll_seconds, settings.webhook_coalesce_seconds)
