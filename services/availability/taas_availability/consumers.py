"""The assignment events consumer: each event applied in the transaction that writes its inbox row."""

import asyncio

import asyncpg
from aiohttp import web

from taas_availability.handlers.load import on_assignment_event
from taas_contracts.envelope import Envelope
from taas_contracts.topics import DISPATCH_EVENTS
from taas_kit.consumer import ConsumerRunner
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS

CONSUMER_NAME = "availability-assignments"
# Set once the consumer has joined its group and fetched (tests and benchmarks wait for it).
ASSIGNMENTS_READY = web.AppKey("assignments_ready", asyncio.Event)


async def handle(conn: asyncpg.Connection, envelope: Envelope) -> None:
    """Thin handler: the use case decides everything."""
    await on_assignment_event(conn, envelope)


async def run_assignments_consumer(app: web.Application) -> None:
    """Consume taas.dispatch.events until cancelled."""
    s = app[SETTINGS]
    runner = ConsumerRunner(name=CONSUMER_NAME, topics=[s.topic(DISPATCH_EVENTS)], group_id=s.group(),
                            bootstrap_servers=s.kafka_bootstrap_servers, pool=app[POOL], handler=handle)
    runner.ready = app[ASSIGNMENTS_READY]
    await runner.run()
