"""Dispatch benchmark: request submitted -> offer created at a steady rate, and the candidate query by pool size.

Run: ./taas bench dispatch [--quick]. Prints the floor figures (bench_floor.py) next to its own when known.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer

sys.path.insert(0, str(Path(__file__).parent))
from stats import load, print_row, save, summary_ms  # noqa: E402

from taas_contracts.catalog import Clearance, RequestKind, Role, Severity  # noqa: E402
from taas_contracts.events.availability import Certification, ClearanceGrant, ProviderSnapshot  # noqa: E402
from taas_contracts.events.requests import RequestSubmitted  # noqa: E402
from taas_contracts.topics import DISPATCH_EVENTS, REQUEST_EVENTS  # noqa: E402
from taas_dispatch.app import MIGRATIONS  # noqa: E402
from taas_dispatch.config import MatchingLimits  # noqa: E402
from taas_dispatch.readmodel import provider_row, request_view  # noqa: E402
from taas_dispatch.repository import candidates  # noqa: E402
from taas_dispatch.repository.providers import upsert_many_providers  # noqa: E402
from taas_kit import db, jsonutil, kafka, migrations  # noqa: E402

ROLES = list(Role)
CERTS = ["CISSP", "CISM", "GCIH", "CCNA"]
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]


def _snapshot(rng: random.Random, i: int, now: datetime, role: Role | None = None) -> ProviderSnapshot:
    """A provider: one or two roles, some certifications, available always or on daily shifts, maybe on call."""
    roles = [role] if role else list({rng.choice(ROLES), rng.choice(ROLES)})
    if rng.random() < 0.5:
        availability = [(now - timedelta(days=1), now + timedelta(days=30))]
    else:
        start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=rng.randrange(0, 12))
        availability = [(start + timedelta(days=d), start + timedelta(days=d, hours=10)) for d in range(14)]
    return ProviderSnapshot(
        provider_id=f"bench-p{i:06d}", name=f"Provider {i}", roles=roles,
        skills=rng.sample(["ransomware", "forensics", "m365", "gis", "scada", "networking"], 2),
        certifications=[Certification(name=c, expires_on=(now + timedelta(days=rng.choice([-5, 30, 400]))).date())
                        for c in rng.sample(CERTS, rng.randint(0, 2))],
        clearances=[ClearanceGrant(kind=Clearance.CJIS)] if rng.random() < 0.3 else [],
        hourly_rate_cents=rng.randrange(8_000, 30_000, 500), home_jurisdiction_id=f"j-{rng.randrange(50)}",
        time_zone=rng.choice(ZONES), capacity=rng.choice([1, 1, 2, 3]),
        conflicts=[f"a-{rng.randrange(100)}"] if rng.random() < 0.1 else [],
        on_call_until=now + timedelta(hours=rng.randrange(1, 12)) if rng.random() < 0.3 else None,
        status="active" if rng.random() < 0.95 else "paused", availability=availability,
        horizon_until=now + timedelta(days=30), version=1,
    )


def _request(rng: random.Random, request_id: str, now: datetime, role: Role) -> RequestSubmitted:
    hours = rng.choice([2, 4, 8])
    return RequestSubmitted(
        request_id=request_id, agency_id=f"a-{rng.randrange(100)}", kind=RequestKind.INCIDENT,
        severity=Severity.HIGH, role=role, required_skills=["ransomware"],
        certifications=rng.choice([[], [], ["CISSP"]]), clearances=rng.choice([[], [], [Clearance.CJIS]]),
        max_hourly_rate_cents=rng.choice([20_000, 25_000, 30_000]), expected_hours=hours, window_start=now,
        window_end=now + timedelta(hours=hours), submitted_at=now, respond_by=now + timedelta(minutes=15),
    )


async def _fresh_schema(dsn: str) -> str:
    schema = f"bench_dispatch_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    try:
        await migrations.apply(conn, schema, migrations.discover("dispatch", MIGRATIONS), say=lambda *_: None)
    finally:
        await conn.close()
    return schema


async def _drop_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await conn.close()


async def _seed(dsn: str, schema: str, snapshots: list[ProviderSnapshot]) -> None:
    pool = await db.create_pool(dsn, schema, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            for i in range(0, len(snapshots), 5000):
                await upsert_many_providers(conn, [provider_row(s) for s in snapshots[i:i + 5000]])
            await conn.execute("ANALYZE providers")
    finally:
        await pool.close()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_service(dsn: str, bootstrap: str, schema: str, prefix: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": dsn, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TAAS_TOPIC_PREFIX": prefix,
           "TAAS_DISPATCH_DB_SCHEMA": schema, "TAAS_DISPATCH_CONSUMER_GROUP": f"bench-{uuid.uuid4().hex[:8]}",
           "TAAS_DISPATCH_HTTP_PORT": str(_free_port()), "TAAS_DISPATCH_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "taas_dispatch"], env=env, stdout=subprocess.DEVNULL)


async def _offers_consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:8]}",
                                enable_auto_commit=False, auto_offset_reset="latest", fetch_max_wait_ms=5)
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=50)
    await consumer.seek_to_end()
    return consumer


async def submitted_to_offer(dsn: str, bootstrap: str, rate: int, seconds: float, providers: int) -> dict:
    """Produce RequestSubmitted at `rate`/s; latency until the first OfferCreated (or on-call assignment) is read."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    schema, prefix = await _fresh_schema(dsn), f"bench.{uuid.uuid4().hex[:8]}."
    await kafka.ensure_topics(bootstrap, prefix=prefix)
    await _seed(dsn, schema, [_snapshot(rng, i, now) for i in range(providers)])
    service = _start_service(dsn, bootstrap, schema, prefix)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    consumer = await _offers_consumer(bootstrap, prefix + DISPATCH_EVENTS.name)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    to_start: list[float] = []  # produce -> dispatch starts handling (the offer's `time`)
    n = int(rate * seconds)

    async def collect() -> None:
        seen: set[str] = set()
        deadline = time.monotonic() + seconds + 60
        while len(seen) < n and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=50)).values():
                arrived = time.time()
                for record in batch:
                    data = jsonutil.loads(record.value)
                    request_id = data["data"]["request_id"]
                    if data["type"] in ("taas.offer.created.v1", "taas.assignment.created.v1",
                                        "taas.request.unfilled.v1") and request_id not in seen:
                        seen.add(request_id)
                        if data["type"] != "taas.request.unfilled.v1" and request_id in sent:
                            latencies.append(arrived - sent[request_id])
                            handled = datetime.fromisoformat(data["time"]).timestamp()
                            to_start.append(handled - sent[request_id])

    try:
        await _wait_ready(dsn, schema, prefix, producer, rng)
        collector = asyncio.create_task(collect())
        cpu_before = _cpu_seconds(service.pid)
        started = time.monotonic()
        for i in range(n):
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
            payload = _request(rng, f"bench-r{i:06d}-{uuid.uuid4().hex[:6]}", datetime.now(UTC), Role.CISO)
            envelope = payload.envelope(source="/bench", subject=payload.request_id, tenant=payload.agency_id)
            sent[payload.request_id] = time.time()
            await producer.send(prefix + REQUEST_EVENTS.name, kafka.encode(envelope), key=payload.request_id.encode())
        await collector
        cpu_ms = (_cpu_seconds(service.pid) - cpu_before) * 1000 / n
    finally:
        await producer.stop()
        await consumer.stop()
        service.terminate()
        service.wait(30)
        await _drop_schema(dsn, schema)
    after = [total - start for total, start in zip(latencies, to_start, strict=True)]
    print(f"  dispatch process CPU per request: {cpu_ms:.2f} ms", flush=True)
    return {"total": summary_ms(latencies), "produce -> handling starts": summary_ms(to_start),
            "handling starts -> offer read": summary_ms(after)}


async def _wait_ready(dsn: str, schema: str, prefix: str, producer, rng: random.Random, warm: int = 60) -> None:
    """Send warm-up requests and wait until dispatch handled them (group joined, connections and plans warm)."""
    pool = await db.create_pool(dsn, schema, min_size=1, max_size=1)
    try:
        for i in range(warm):
            payload = _request(rng, f"bench-warm-{i}-{uuid.uuid4().hex[:6]}", datetime.now(UTC), Role.CISO)
            await producer.send(prefix + REQUEST_EVENTS.name, kafka.encode(payload.envelope(source="/bench")),
                                key=payload.request_id.encode())
            await asyncio.sleep(0.02)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if await pool.fetchval("SELECT count(*) FROM requests WHERE status <> 'matching'") >= warm:
                await asyncio.sleep(1.0)  # let the outbox relay drain the warm-up events
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("dispatch did not handle the warm-up requests within 60 s")
    finally:
        await pool.close()


async def candidate_query(dsn: str, sizes: list[int], queries: int) -> dict[str, dict]:
    """p50/p99 of the hard-filter query (default pool and why-not sample) as the provider table grows."""
    limits = MatchingLimits()
    rng = random.Random(11)
    now = datetime.now(UTC)
    schema = await _fresh_schema(dsn)
    figures: dict[str, dict] = {}
    try:
        loaded = 0
        for size in sizes:
            await _seed(dsn, schema, [_snapshot(rng, i, now) for i in range(loaded, size)])
            loaded = size
            pool = await db.create_pool(dsn, schema, min_size=1, max_size=1)
            try:
                async with pool.acquire() as conn:
                    latencies, eligible = [], 0
                    for q in range(queries + 20):
                        request = request_view(_request(rng, f"q{q}", now, rng.choice(ROLES)), None)
                        window = request.engagement_window(now)
                        started = time.perf_counter()
                        rows = await candidates.find(conn, request, window, now, pool=limits.candidate_pool,
                                                    sample=limits.why_not_sample)
                        if q >= 20:  # the first few warm the caches and plans
                            latencies.append(time.perf_counter() - started)
                            eligible += len(rows.eligible)
            finally:
                await pool.close()
            figures[f"candidate query, {size:,} providers"] = {**summary_ms(latencies),
                                                                "mean_eligible": eligible / queries}
    finally:
        await _drop_schema(dsn, schema)
    return figures


async def main(quick: bool) -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    dsn = os.environ["DATABASE_URL"]
    rate, seconds = (50, 3) if quick else (200, 10)
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    print(f"dispatch benchmark ({'quick' if quick else 'full'}): {rate} requests/s for {seconds}s; "
          f"candidate query at {', '.join(f'{s:,}' for s in sizes)} providers", flush=True)
    parts = await submitted_to_offer(dsn, bootstrap, rate, seconds, 1000)
    figures = {f"submitted -> offer created ({rate}/s)": parts.pop("total")}
    figures.update({f"  of which {name}": s for name, s in parts.items()})
    figures.update(await candidate_query(dsn, sizes, 100 if quick else 300))
    for name, s in figures.items():
        print_row(name, s)
    floor = load("floor")
    if floor:
        print("floor (bench_floor.py, last run):", flush=True)
        for name, s in floor.items():
            print_row(name, s)
    else:
        print("floor: no figures yet (run ./taas bench floor)", flush=True)
    save("dispatch", figures)
    print(json.dumps({k: {m: round(v, 2) for m, v in s.items()} for k, s in figures.items()}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short form, as in CI")
    asyncio.run(main(parser.parse_args().quick))
