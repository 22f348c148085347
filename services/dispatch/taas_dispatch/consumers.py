"""Thin Kafka entry point: request events and provider/agency snapshots, each handed to its use case."""

import asyncpg
from aiohttp import web

from taas_contracts.events.requests import RequestSubmitted
from taas_contracts.topics import AGENCY_SNAPSHOTS, PROVIDER_SNAPSHOTS, REQUEST_EVENTS
from taas_dispatch.handlers import HANDLERS
from taas_dispatch.handlers.context import Deps
from taas_dispatch.keys import DEPS
from taas_kit.consumer import ConsumerRunner, table_handler
from taas_kit.http.keys import POOL


def make_runner(deps: Deps, pool: asyncpg.Pool) -> ConsumerRunner:
    """One consumer group member reading requests and snapshots."""
    s = deps.settings
    return ConsumerRunner(
        name=s.consumer_name,
        topics=[s.topic(REQUEST_EVENTS), s.topic(PROVIDER_SNAPSHOTS), s.topic(AGENCY_SNAPSHOTS)],
        group_id=s.group(), bootstrap_servers=s.kafka_bootstrap_servers, pool=pool, handler=table_handler(HANDLERS, deps),
        max_batch=s.consumer_batch, parallel_partitions=s.parallel_partitions,
        commit_interval_ms=s.consumer_commit_interval_ms, fetch_max_wait_ms=s.consumer_fetch_max_wait_ms,
        # Not `together`: one transaction making several on-call bookings can deadlock with another making the
        # same ones in the other order (each booking waits on the other's exclusion-constraint check).
        fetch_min_bytes=s.consumer_fetch_min_bytes,
        # The intake inserts the request under its id first and stops if it was there (intake.request_submitted).
        self_deduplicating={RequestSubmitted.EVENT_TYPE},
    )


async def run_consumer(app: web.Application) -> None:
    """Consume until cancelled (the app's background context restarts it after a crash)."""
    await make_runner(app[DEPS], app[POOL]).run()
