"""Dispatch benchmark: request submitted -> offer created at a steady rate, and the candidate query by pool size.

Run: ./taas bench dispatch [--quick]. Prints the floor figures (bench_floor.py) next to its own when known.
`--agency` measures the whole path instead: the agency's POST /v1/requests (requests service) to the offer read
off the dispatch topic, with both services running as processes (`--instances 2`: two dispatch processes in one
consumer group; `--rates 50,100,200`, `--seconds`).
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cpu import cpu_seconds  # noqa: E402
from stats import load, print_row, save, summary_ms  # noqa: E402
from scaffold import drop_schema, migrated_schema  # noqa: E402
from steady import SECRET, SteadyPath, measure, report, start_service, tail_consumer  # noqa: E402

from taas_contracts.catalog import Clearance, RequestKind, Role, Severity  # noqa: E402
from taas_contracts.events.availability import Certification, ClearanceGrant, ProviderSnapshot  # noqa: E402
from taas_contracts.events.requests import RequestSubmitted  # noqa: E402
from taas_contracts.topics import DISPATCH_EVENTS, REQUEST_EVENTS  # noqa: E402
from taas_dispatch.app import MIGRATIONS  # noqa: E402
from taas_dispatch.config import MatchingLimits  # noqa: E402
from taas_dispatch.readmodel import provider_row, request_view  # noqa: E402
from taas_dispatch.repository import candidates  # noqa: E402
from taas_dispatch.repository.providers import upsert_many_providers  # noqa: E402
from taas_kit import auth, db, inbox, jsonutil, kafka  # noqa: E402
from taas_kit.testing import free_port, spawn_service, wait_ready  # noqa: E402
from taas_requests.app import MIGRATIONS as REQUESTS_MIGRATIONS  # noqa: E402

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


async def _seed(dsn: str, schema: str, snapshots: list[ProviderSnapshot]) -> None:
    pool = await db.create_pool(dsn, schema, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            for i in range(0, len(snapshots), 5000):
                await upsert_many_providers(conn, [provider_row(s) for s in snapshots[i:i + 5000]])
            await conn.execute("ANALYZE providers")
    finally:
        await pool.close()


def _start_service(dsn: str, bootstrap: str, schema: str, prefix: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": dsn, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TAAS_TOPIC_PREFIX": prefix,
           "TAAS_DISPATCH_DB_SCHEMA": schema, "TAAS_DISPATCH_CONSUMER_GROUP": f"bench-{uuid.uuid4().hex[:8]}",
           "TAAS_DISPATCH_HTTP_PORT": str(free_port()), "TAAS_DISPATCH_LOG_LEVEL": "WARNING"}
    return spawn_service("taas_dispatch", env)


async def submitted_to_offer(dsn: str, bootstrap: str, rate: int, seconds: float, providers: int) -> dict:
    """Produce RequestSubmitted at `rate`/s; latency until the first OfferCreated (or on-call assignment) is read."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    schema, prefix = await migrated_schema(dsn, "dispatch", MIGRATIONS), f"bench.{uuid.uuid4().hex[:8]}."
    await kafka.ensure_topics(bootstrap, prefix=prefix)
    await _seed(dsn, schema, [_snapshot(rng, i, now) for i in range(providers)])
    service = _start_service(dsn, bootstrap, schema, prefix)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    consumer = await tail_consumer(bootstrap, prefix + DISPATCH_EVENTS.name)
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
        cpu_before = cpu_seconds(service.pid)
        started = time.monotonic()
        for i in range(n):
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
            payload = _request(rng, f"bench-r{i:06d}-{uuid.uuid4().hex[:6]}", datetime.now(UTC), Role.CISO)
            envelope = payload.envelope(source="/bench", subject=payload.request_id, tenant=payload.agency_id)
            sent[payload.request_id] = time.time()
            await producer.send(prefix + REQUEST_EVENTS.name, kafka.encode(envelope), key=payload.request_id.encode())
        await collector
        cpu_ms = (cpu_seconds(service.pid) - cpu_before) * 1000 / n
    finally:
        await producer.stop()
        await consumer.stop()
        service.terminate()
        service.wait(30)
        await drop_schema(dsn, schema)
        await kafka.delete_topics_with_prefix(bootstrap, prefix)
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
    schema = await migrated_schema(dsn, "dispatch", MIGRATIONS)
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
                                                    sample=limits.why_not_sample,
                                                    since=now - timedelta(days=limits.history_days))
                        if q >= 20:  # the first few warm the caches and plans
                            latencies.append(time.perf_counter() - started)
                            eligible += len(rows.eligible)
            finally:
                await pool.close()
            figures[f"candidate query, {size:,} providers"] = {**summary_ms(latencies),
                                                                "mean_eligible": eligible / queries}
    finally:
        await drop_schema(dsn, schema)
    return figures


async def in_process(dsn: str, calls: int) -> None:
    """The submitted-request use case called in-process on 1,000 providers: statements, Python and backend CPU."""
    from taas_dispatch.config import load_config
    from taas_dispatch.handlers.context import Deps
    from taas_dispatch.handlers.intake import request_submitted
    from taas_dispatch.settings import DispatchSettings

    rng, now = random.Random(7), datetime.now(UTC)
    schema = await migrated_schema(dsn, "dispatch", MIGRATIONS)
    try:
        await _seed(dsn, schema, [_snapshot(rng, i, now) for i in range(1000)])
        settings = DispatchSettings(database_url=dsn, kafka_bootstrap_servers="unused:9092", db_schema=schema)
        deps = Deps(settings, load_config(settings))
        pool = await db.create_pool(dsn, schema, min_size=1, max_size=1)
        try:
            async with pool.acquire() as conn:
                sent: list[str] = []

                async def one(i: int) -> None:
                    payload = _request(rng, f"bench-r{i:06d}-{uuid.uuid4().hex[:6]}", datetime.now(UTC), Role.CISO)
                    envelope = payload.envelope(source="/bench", subject=payload.request_id, tenant=payload.agency_id)
                    async with conn.transaction():  # as the consumer runner: BEGIN, inbox row, the use case, COMMIT
                        await inbox.claim(conn, "bench", envelope.id, "bench", 0, i)
                        await request_submitted(conn, deps, payload, envelope)

                for i in range(30):  # warm the statement cache and the plans
                    await one(i)
                def record(query) -> None:
                    sent.append(query.query)

                conn.add_query_logger(record)
                await one(30)
                await asyncio.sleep(0)  # asyncpg calls its query loggers soon after each statement
                conn.remove_query_logger(record)
                backend = await conn.fetchval("SELECT pg_backend_pid()")
                backend_before, started = cpu_seconds(backend), time.process_time()
                for i in range(calls):
                    await one(100 + i)
                python_ms = (time.process_time() - started) * 1000 / calls
                backend_ms = (cpu_seconds(backend) - backend_before) * 1000 / calls
        finally:
            await pool.close()
    finally:
        await drop_schema(dsn, schema)
    print(f"in-process request_submitted, {calls} calls: {len(sent)} statements per request (with BEGIN, inbox, "
          f"COMMIT); CPU per call: Python {python_ms:.2f} ms, PostgreSQL backend {backend_ms:.2f} ms", flush=True)


OFFERED = ("taas.offer.created.v1", "taas.assignment.created.v1")


class AgencyPath(SteadyPath):
    """The requests service and N dispatch processes on fresh schemas and topics, and a reader of offers."""

    relayed, outcome, last_part = RequestSubmitted.EVENT_TYPE, OFFERED, "dispatch"
    legend = "(post: scheduled -> 201; relay: 201 -> submitted read; dispatch: submitted read -> offer read)"

    def __init__(self, dsn: str, bootstrap: str, instances: int) -> None:
        super().__init__(dsn, bootstrap)
        self.instances = instances

    async def start(self) -> None:
        """Both schemas (1,000 providers), the topics, the services, an onboarded agency and its token."""
        self.schemas.append(dispatch_schema := await migrated_schema(self.dsn, "dispatch", MIGRATIONS))
        self.schemas.append(requests_schema := await migrated_schema(self.dsn, "requests", REQUESTS_MIGRATIONS))
        await kafka.ensure_topics(self.bootstrap, prefix=self.prefix)
        rng, now = random.Random(7), datetime.now(UTC)
        await _seed(self.dsn, dispatch_schema, [_snapshot(rng, i, now) for i in range(1000)])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        self.groups["requests"] = [start_service("taas_requests", "TAAS_REQUESTS_", self.dsn, self.bootstrap,
                                                 requests_schema, self.prefix, f"bench-req-{self.run}", port)]
        self.groups["dispatch"] = []
        for _ in range(self.instances):
            self.groups["dispatch"].append(start_service("taas_dispatch", "TAAS_DISPATCH_", self.dsn, self.bootstrap,
                                                         dispatch_schema, self.prefix, f"bench-dis-{self.run}",
                                                         free_port()))
        await self.listen(self.prefix + DISPATCH_EVENTS.name, self.prefix + REQUEST_EVENTS.name)
        await wait_ready(base, self.groups["requests"][0])
        agency_id = f"bench-{self.run}"
        ops = {"Authorization": f"Bearer {auth.issue(SECRET, 'ops')}"}
        async with self.http.post(f"{base}/v1/agencies", headers=ops, json={
                "id": agency_id, "name": "Bench County", "state": "MN", "jurisdiction": "Bench",
                "population": 10_000, "time_zone": "America/Chicago"}) as resp:
            assert resp.status == 201, await resp.text()
        self.url = f"{base}/v1/requests"
        self.headers = {"Authorization": f"Bearer {auth.issue(SECRET, 'agency', tenant=agency_id)}"}


async def agency_path(quick: bool, rates: list[int], seconds: float, instances: int, repeat: int) -> None:
    """The target of issue 5: the agency's POST to the offer, at steady rates, as medians of `repeat` runs."""
    dsn, bootstrap = os.environ["DATABASE_URL"], os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    if quick:
        rates, seconds = [50], 3.0
    print(f"agency POST -> offer read ({instances} dispatch process(es)): rates {rates}/s for {seconds:g} s, "
          f"median of {repeat} run(s)", flush=True)
    async with AgencyPath(dsn, bootstrap, instances) as path:
        figures = await measure(path, rates, seconds, repeat,
                                lambda rate: f"POST -> offer ({rate}/s, {instances} dispatch)")
    report(f"dispatch-agency-path-{instances}", figures)


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
    parser.add_argument("--agency", action="store_true", help="measure from the agency's POST (requests service)")
    parser.add_argument("--rates", default="50,100,200", help="--agency: steady rates, requests/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="--agency: length of each steady run")
    parser.add_argument("--instances", type=int, default=1, help="--agency: dispatch processes in the group")
    parser.add_argument("--repeat", type=int, default=1, help="--agency: runs per rate (the median is printed)")
    parser.add_argument("--in-process", type=int, metavar="CALLS", default=0,
                        help="only call the submitted-request use case CALLS times in-process (statements, CPU)")
    args = parser.parse_args()
    if args.in_process:
        asyncio.run(in_process(os.environ["DATABASE_URL"], args.in_process))
    elif args.agency:
        import uvloop  # the load generator shares the machine: it should take as little of it as it can

        uvloop.install()
        asyncio.run(agency_path(args.quick, [int(r) for r in args.rates.split(",")], args.seconds, args.instances,
                                args.repeat))
    else:
        asyncio.run(main(args.quick))
