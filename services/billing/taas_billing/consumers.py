"""Thin Kafka entry point: dispatch events and agency snapshots, each handed to its use case."""

import asyncpg
from aiohttp import web

from taas_billing.handlers import HANDLERS
from taas_billing.settings import BillingSettings
from taas_contracts.topics import AGENCY_SNAPSHOTS, DISPATCH_EVENTS
from taas_kit.consumer import ConsumerRunner, table_handler
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS


def make_runner(settings: BillingSettings, pool: asyncpg.Pool) -> ConsumerRunner:
    """One consumer group member reading dispatch events and agency snapshots."""
    return ConsumerRunner(
        name=settings.consumer_name, topics=[settings.topic(DISPATCH_EVENTS), settings.topic(AGENCY_SNAPSHOTS)],
        group_id=settings.group(), bootstrap_servers=settings.kafka_bootstrap_servers, pool=pool,
        handler=table_handler(HANDLERS, settings), max_batch=settings.consumer_batch,
    )


async def run_consumer(app: web.Application) -> None:
    """Consume until cancelled (the app's background context restarts it after a crash)."""
    await make_runner(app[SETTINGS], app[POOL]).run()
