"""Billing figures: assignment-completed events billed per second, and completed -> usage event published p50/p99.

Run: KAFKA_BOOTSTRAP_SERVERS=... DATABASE_URL=... .venv/bin/python tests/benchmarks/bench_billing.py [--quick]
(the variables `./taas test` sets). The billing app runs in-process (consumer, outbox relay) on a fresh
schema and a fresh topic prefix, exactly as in production apart from the names.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from datetime import UTC, datetime, time as clock, timedelta
from pathlib import Path

import asyncpg
from aiohttp import web
from aiokafka import AIOKafkaConsumer, TopicPartition

sys.path.insert(0, str(Path(__file__).parent))
from stats import print_row, save, summary_ms  # noqa: E402
from scaffold import drop_schema, migrated_schema  # noqa: E402

from taas_billing.app import MIGRATIONS, create_app  # noqa: E402
from taas_billing.settings import BillingSettings  # noqa: E402
from taas_contracts.catalog import RequestKind, Severity  # noqa: E402
from taas_contracts.events.dispatch import AssignmentCompleted, TimeEntry  # noqa: E402
from taas_contracts.events.requests import AgencySnapshot, BusinessHours  # noqa: E402
from taas_contracts.topics import BILLING_USAGE, DISPATCH_EVENTS  # noqa: E402
from taas_kit import jsonutil, kafka  # noqa: E402
from taas_kit.logging import configure_logging  # noqa: E402

AGENCIES = 20
START = datetime(2027, 6, 7, 13, tzinfo=UTC)  # Monday 09:00 EDT


def _completion(i: int) -> tuple[str, AssignmentCompleted]:
    """A completion; half are critical and run past 17:00 local, so they price into two segments."""
    agency = f"bench-agency-{i % AGENCIES}"
    start = START + timedelta(days=i % 5, hours=(i % 2) * 6)
    request_id = f"bench-req-{uuid.uuid4().hex[:12]}"
    return request_id, AssignmentCompleted(
        request_id=request_id, agency_id=agency, seq=1, at=start + timedelta(hours=2),
        assignment_id=f"bench-asg-{uuid.uuid4().hex[:12]}", provider_id=f"prov-{i % 50}",
        provider_home_jurisdiction_id=f"bench-agency-{(i + 1) % AGENCIES}" if i % 3 else None,
        rate_cents=12_000, kind=RequestKind.INCIDENT, severity=Severity.CRITICAL if i % 2 else Severity.HIGH,
        entries=[TimeEntry(entry_id="e1", started_at=start, ended_at=start + timedelta(hours=2))],
    )


async def _billed(pool: asyncpg.Pool) -> int:
    return await pool.fetchval("SELECT count(*) FROM assignments WHERE status = 'billed'")


async def _wait_billed(pool: asyncpg.Pool, n: int, timeout: float) -> float:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await _billed(pool) >= n:
            return time.perf_counter()
        await asyncio.sleep(0.02)
    raise TimeoutError(f"only {await _billed(pool)} of {n} billed after {timeout} s")


async def throughput(settings: BillingSettings, pool: asyncpg.Pool, producer, n: int) -> dict:
    """Publish n completions at once to the running service; completions billed per second until the last."""
    already = await _billed(pool)
    events = [_completion(i) for i in range(n)]
    started = time.perf_counter()
    for request_id, event in events:
        await producer.send(settings.topic(DISPATCH_EVENTS), kafka.encode(event.envelope(source="/bench")),
                            key=request_id.encode())
    await producer.flush()
    finished = await _wait_billed(pool, already + n, timeout=60 + n / 20)
    while await pool.fetchval("SELECT count(*) FROM outbox"):  # let the relay drain before the next measurement
        await asyncio.sleep(0.05)
    segments = await pool.fetchval("SELECT count(*) FROM usage_segments")
    elapsed = finished - started
    return {"n": n, "seconds": elapsed, "per_second": n / elapsed, "segments_total": segments}


async def latency(settings: BillingSettings, producer, rate: int, n: int) -> dict:
    """Paced completions; time from the broker's ack of a completion to its first usage event in a consumer's hands."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=5)
    await consumer.start()
    topic = settings.topic(BILLING_USAGE)
    parts = [TopicPartition(topic, p) for p in range(BILLING_USAGE.partitions)]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)
    sent: dict[str, float] = {}
    latencies: list[float] = []

    async def collect() -> None:
        while len(latencies) < n:
            for batch in (await consumer.getmany(timeout_ms=50)).values():
                now = time.perf_counter()
                for record in batch:
                    assignment = jsonutil.loads(record.value)["data"]["assignment_id"]
                    if assignment in sent:
                        latencies.append(now - sent.pop(assignment))

    collector = asyncio.create_task(collect())
    try:
        for i in range(n):
            request_id, event = _completion(i)
            await producer.send_and_wait(settings.topic(DISPATCH_EVENTS),
                                         kafka.encode(event.envelope(source="/bench")), key=request_id.encode())
            sent[event.assignment_id] = time.perf_counter()
            await asyncio.sleep(1 / rate)
        await asyncio.wait_for(collector, 60)
    finally:
        collector.cancel()
        await asyncio.gather(collector, return_exceptions=True)
        await consumer.stop()
    return summary_ms(latencies)


async def main(quick: bool) -> None:
    configure_logging("WARNING", json=True)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    dsn = os.environ["DATABASE_URL"]
    burst, rate, paced = (300, 50, 100) if quick else (3000, 50, 1000)
    prefix = f"bench_{uuid.uuid4().hex[:8]}."
    await kafka.ensure_topics(bootstrap, prefix=prefix)
    schema = await migrated_schema(dsn, "billing", MIGRATIONS)
    settings = BillingSettings(database_url=dsn, db_schema=schema, kafka_bootstrap_servers=bootstrap,
                               topic_prefix=prefix, consumer_group=f"bench-{uuid.uuid4().hex[:8]}")
    print(f"billing benchmark ({'quick' if quick else 'full'}): burst of {burst} completions; "
          f"{paced} paced at {rate}/s", flush=True)
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    pool = await asyncpg.create_pool(dsn, server_settings={"search_path": schema}, min_size=1, max_size=2)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    try:
        for a in range(AGENCIES):
            snap = AgencySnapshot(agency_id=f"bench-agency-{a}", name="bench", state="NY", jurisdiction="bench",
                                  population=8000, time_zone="America/New_York", version=1,
                                  business_hours=BusinessHours(days=[0, 1, 2, 3, 4], start=clock(9), end=clock(17)),
                                  monthly_budget_cap_cents=50_000_000)
            await producer.send_and_wait(settings.topic(snap.TOPIC), kafka.encode(snap.envelope(source="/bench")),
                                         key=snap.agency_id.encode())
        while await pool.fetchval("SELECT count(*) FROM agencies") < AGENCIES:
            await asyncio.sleep(0.05)
        await throughput(settings, pool, producer, min(50, burst))  # warm-up
        figures = {"throughput": await throughput(settings, pool, producer, burst),
                   "completed->usage published": await latency(settings, producer, rate, paced)}
    finally:
        await producer.stop()
        await pool.close()
        await runner.cleanup()
        await drop_schema(dsn, schema)
        await kafka.delete_topics_with_prefix(bootstrap, prefix)  # left behind, they burden the broker for good
    t = figures["throughput"]
    print(f"  {'assignment-completed billed':<44} n={t['n']:>6}  {t['per_second']:8.1f} per second "
          f"({t['seconds']:.2f} s, publish to last billed)", flush=True)
    print_row("completed -> usage event published", figures["completed->usage published"])
    save("billing", figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short form, as in CI")
    asyncio.run(main(parser.parse_args().quick))
