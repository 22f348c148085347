"""The dispatch events consumer: events applied in the transaction that writes their inbox rows."""

import functools

import asyncpg
from aiohttp import web

from taas_contracts.envelope import Envelope
from taas_contracts.topics import DISPATCH_EVENTS
from taas_kit.consumer import ConsumerRunner
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_requests.handlers.dispatch_events import on_dispatch_event, on_dispatch_events
from taas_requests.settings import Channels

CONSUMER_NAME = "requests-dispatch-events"


async def handle(channels: Channels, conn: asyncpg.Connection, envelope: Envelope) -> None:
    """Thin handler: the use case decides everything."""
    await on_dispatch_event(conn, channels, envelope)


async def handle_batch(channels: Channels, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
    """Thin handler of a fetch's events together (the kit falls back to `handle` one by one if it fails)."""
    await on_dispatch_events(conn, channels, envelopes)


async def run_dispatch_consumer(app: web.Application) -> None:
    """Consume taas.dispatch.events until cancelled."""
    s = app[SETTINGS]
    await ConsumerRunner(name=CONSUMER_NAME, topics=[s.topic(DISPATCH_EVENTS)], group_id=s.group(),
                         bootstrap_servers=s.kafka_bootstrap_servers, pool=app[POOL],
                         handler=functools.partial(handle, s.channels()),
                         batch_handler=functools.partial(handle_batch, s.channels()),
                         commit_interval_ms=s.consumer_commit_interval_ms, together=s.consumer_together,
                         fetch_max_wait_ms=s.consumer_fetch_max_wait_ms,
                         fetch_min_bytes=s.consumer_fetch_min_bytes).run()
