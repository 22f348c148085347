"""Dispatch benchmark: request submitted -> offer created at a steady rate, and the candidate query by pool size.

Run: ./taas bench dispatch [--quick]. Prints the floor figures (bench_floor.py) next to its own when known.
`--agency` measures the whole path instead: the agency's POST /v1/requests (requests service) to the offer read
off the dispatch topic, with both services running as processes (`--instances 2`: two dispatch processes in one
consumer group; `--rates 50,100,200`, `--seconds`).
"""

import argparse
import asyncio
import gc
import json
import statistics
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiokafka import AIOKafkaConsumer

sys.path.insert(0, str(Path(__file__).parent))
from stats import load, print_row, save, summary_ms  # noqa: E402
from scaffold import drop_schema, migrated_schema  # noqa: E402

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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat (Linux)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


def _group_cpu(own: dict[str, set[int]]) -> dict[str, float]:
    """CPU seconds used so far by every process on the machine, grouped: PostgreSQL, Kafka, ours, the rest (Linux)."""
    totals = {"postgres": 0.0, "kafka": 0.0, **{name: 0.0 for name in own}, "other": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cpu = _cpu_seconds(int(entry.name))
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        pid = int(entry.name)
        name = next((n for n, pids in own.items() if pid in pids), None)
        if name is None:
            name = "postgres" if b"postgres" in command else "kafka" if b"kafka.Kafka" in command else "other"
        totals[name] += cpu
    return totals


def _start_service(dsn: str, bootstrap: str, schema: str, prefix: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": dsn, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TAAS_TOPIC_PREFIX": prefix,
           "TAAS_DISPATCH_DB_SCHEMA": schema, "TAAS_DISPATCH_CONSUMER_GROUP": f"bench-{uuid.uuid4().hex[:8]}",
           "TAAS_DISPATCH_HTTP_PORT": str(free_port()), "TAAS_DISPATCH_LOG_LEVEL": "WARNING"}
    return spawn_service("taas_dispatch", env)


async def _offers_consumer(bootstrap: str, *topics: str) -> AIOKafkaConsumer:
    # A long poll costs nothing in latency (the broker answers as soon as a record lands) and spares the machine
    # the CPU of hundreds of empty fetches a second.
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:8]}",
                                enable_auto_commit=False, auto_offset_reset="latest", fetch_max_wait_ms=500)
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=50)
    await consumer.seek_to_end()
    return consumer


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
                backend_before, started = _cpu_seconds(backend), time.process_time()
                for i in range(calls):
                    await one(100 + i)
                python_ms = (time.process_time() - started) * 1000 / calls
                backend_ms = (_cpu_seconds(backend) - backend_before) * 1000 / calls
        finally:
            await pool.close()
    finally:
        await drop_schema(dsn, schema)
    print(f"in-process request_submitted, {calls} calls: {len(sent)} statements per request (with BEGIN, inbox, "
          f"COMMIT); CPU per call: Python {python_ms:.2f} ms, PostgreSQL backend {backend_ms:.2f} ms", flush=True)


SECRET = "bench-agency-path"
OFFERED = ("taas.offer.created.v1", "taas.assignment.created.v1")
AGENCY_BODY = {"kind": "incident", "severity": "high", "role": "ciso", "required_skills": ["ransomware"],
               "max_hourly_rate_cents": 25_000, "expected_hours": 4, "description": "benchmark"}


def _start(module: str, env_prefix: str, dsn: str, bootstrap: str, schema: str, prefix: str, group: str,
           port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": dsn, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TAAS_TOPIC_PREFIX": prefix,
           "TAAS_AUTH_SECRET": SECRET, f"{env_prefix}DB_SCHEMA": schema, f"{env_prefix}CONSUMER_GROUP": group,
           f"{env_prefix}HTTP_PORT": str(port), f"{env_prefix}LOG_LEVEL": "WARNING"}
    profile = os.environ.get("BENCH_PROFILE_DIR")  # cProfile each process; written when it stops (SIGTERM)
    wrap = ["-m", "cProfile", "-o", f"{profile}/{module}-{port}.prof"] if profile else []
    logs = profile or os.environ.get("BENCH_LOG_DIR")  # each process's output kept there
    out = open(f"{logs}/{module}-{port}.log", "wb") if logs else subprocess.DEVNULL  # noqa: SIM115
    return spawn_service(module, env, python_args=tuple(wrap), stdout=out, stderr=subprocess.STDOUT)


class AgencyPath:
    """The requests service and N dispatch processes on fresh schemas and topics, and a reader of offers."""

    def __init__(self, dsn: str, bootstrap: str, instances: int) -> None:
        self.dsn, self.bootstrap, self.instances = dsn, bootstrap, instances
        run = uuid.uuid4().hex[:8]
        self.prefix, self.run = f"bench.{run}.", run
        self.procs: list[subprocess.Popen] = []
        self.offered: dict[str, float] = {}  # request id -> when its first offer was read
        self.relayed: dict[str, float] = {}  # request id -> when its RequestSubmitted was read
        self.answered: dict[str, float] = {}  # request id -> when the POST answered 201

    async def __aenter__(self) -> "AgencyPath":
        self.dispatch_schema = await migrated_schema(self.dsn, "dispatch", MIGRATIONS)
        self.requests_schema = await migrated_schema(self.dsn, "requests", REQUESTS_MIGRATIONS)
        await kafka.ensure_topics(self.bootstrap, prefix=self.prefix)
        rng, now = random.Random(7), datetime.now(UTC)
        await _seed(self.dsn, self.dispatch_schema, [_snapshot(rng, i, now) for i in range(1000)])
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.procs.append(_start("taas_requests", "TAAS_REQUESTS_", self.dsn, self.bootstrap, self.requests_schema,
                                 self.prefix, f"bench-req-{self.run}", port))
        self.dispatch_urls = []
        for _ in range(self.instances):
            dispatch_port = free_port()
            self.dispatch_urls.append(f"http://127.0.0.1:{dispatch_port}")
            self.procs.append(_start("taas_dispatch", "TAAS_DISPATCH_", self.dsn, self.bootstrap,
                                     self.dispatch_schema, self.prefix, f"bench-dis-{self.run}", dispatch_port))
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        self.consumer = await _offers_consumer(self.bootstrap, self.prefix + DISPATCH_EVENTS.name,
                                               self.prefix + REQUEST_EVENTS.name)
        self.reader = asyncio.create_task(self._read())
        await wait_ready(self.base, self.procs[0])
        self.agency_id = f"bench-{self.run}"
        ops = {"Authorization": f"Bearer {auth.issue(SECRET, 'ops')}"}
        async with self.http.post(f"{self.base}/v1/agencies", headers=ops, json={
                "id": self.agency_id, "name": "Bench County", "state": "MN", "jurisdiction": "Bench",
                "population": 10_000, "time_zone": "America/Chicago"}) as resp:
            assert resp.status == 201, await resp.text()
        self.headers = {"Authorization": f"Bearer {auth.issue(SECRET, 'agency', tenant=self.agency_id)}"}
        return self

    async def __aexit__(self, *exc) -> None:
        self.reader.cancel()
        await self.consumer.stop()
        await self.http.close()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(30)
        await drop_schema(self.dsn, self.dispatch_schema)
        await drop_schema(self.dsn, self.requests_schema)
        # Left behind, every run's topics would add their partitions to the broker's work for good.
        await kafka.delete_topics_with_prefix(self.bootstrap, self.prefix)

    async def _read(self) -> None:
        while True:
            for batch in (await self.consumer.getmany(timeout_ms=50)).values():
                arrived = time.time()
                for record in batch:
                    # The type header and the key (the request id on both topics) are enough: no JSON parsing
                    # in the load generator, which shares the machine with what it measures.
                    kind = dict(record.headers).get("taas_type", b"").decode()
                    if kind in OFFERED:
                        self.offered.setdefault(record.key.decode(), arrived)
                    elif kind == "taas.request.submitted.v1":
                        self.relayed.setdefault(record.key.decode(), arrived)

    def cpu(self) -> tuple[float, float]:
        """CPU seconds used so far by the requests process and by the dispatch processes."""
        return _cpu_seconds(self.procs[0].pid), sum(_cpu_seconds(p.pid) for p in self.procs[1:])

    def own(self) -> dict[str, set[int]]:
        """Our processes by group, for `_group_cpu`."""
        return {"requests": {self.procs[0].pid}, "dispatch": {p.pid for p in self.procs[1:]},
                "load generator": {os.getpid()}}

    async def idle_cpu(self, seconds: float = 3.0) -> dict[str, float]:
        """CPU per second of every group on the machine with no load (polls, heartbeats, commits)."""
        before = _group_cpu(self.own())
        await asyncio.sleep(seconds)
        return {k: (v - before[k]) / seconds for k, v in _group_cpu(self.own()).items()}

    async def post(self, scheduled: float) -> str | None:
        """POST one request at its scheduled wall-clock instant; its id, or None if refused."""
        await asyncio.sleep(max(0.0, scheduled - time.time()))
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        async with self.http.post(f"{self.base}/v1/requests", json=AGENCY_BODY, headers=headers) as resp:
            body = await resp.json()
            if resp.status != 201:
                return None
            self.answered[body["id"]] = time.time()
            return body["id"]

    async def steady(self, rate: float, seconds: float) -> dict:
        """POST at `rate`/s for `seconds`: latency from each scheduled POST to its offer read off the topic."""
        n = int(rate * seconds)
        t0 = time.time() + 0.2
        own = self.own()
        cpu_before, machine_before, groups_before = self.cpu(), _machine_busy(), _group_cpu(own)
        ids = await asyncio.gather(*(self.post(t0 + i / rate) for i in range(n)))
        machine = [b - a for a, b in zip(machine_before, _machine_busy(), strict=True)]
        # Where the whole machine's CPU went while posting, per request (not only our two services).
        groups = {f"machine_ms_{k}": (v - groups_before[k]) * 1000 / n for k, v in _group_cpu(own).items()}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(i in self.offered for i in ids if i):
            await asyncio.sleep(0.05)
        cpu_req, cpu_dis = ((b - a) * 1000 / n for a, b in zip(cpu_before, self.cpu(), strict=True))
        done = [(t0 + k / rate, i) for k, i in enumerate(ids) if i and i in self.offered and i in self.relayed]
        missing = n - len(done)
        parts = {"post": [self.answered[i] - t for t, i in done],
                 "relay": [self.relayed[i] - self.answered[i] for t, i in done],
                 "dispatch": [self.offered[i] - self.relayed[i] for t, i in done]}
        return {**summary_ms([self.offered[i] - t for t, i in done]), "missing": missing,
                "cpu_requests_ms": cpu_req, "cpu_dispatch_ms": cpu_dis,
                "machine_busy": machine[0] / machine[1] if machine[1] else float("nan"), **groups,
                **{f"{name}_p50": summary_ms(v)["p50"] for name, v in parts.items()},
                **{f"{name}_p99": summary_ms(v)["p99"] for name, v in parts.items()}}


async def agency_path(quick: bool, rates: list[int], seconds: float, instances: int, repeat: int) -> None:
    """The target of issue 5: the agency's POST to the offer, at steady rates, as medians of `repeat` runs."""
    dsn, bootstrap = os.environ["DATABASE_URL"], os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    if quick:
        rates, seconds = [50], 3.0
    print(f"agency POST -> offer read ({instances} dispatch process(es)): rates {rates}/s for {seconds:g} s, "
          f"median of {repeat} run(s)", flush=True)
    figures: dict[str, dict] = {}
    async with AgencyPath(dsn, bootstrap, instances) as path:
        await path.steady(20, 3)  # warm-up: group joined, connections and plans warm
        gc.freeze()  # the load generator's own full collections would show up as latency of the system
        idle = await path.idle_cpu()
        print("  idle CPU (ms/s): " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in idle.items()), flush=True)
        for rate in rates:
            runs = [await path.steady(rate, seconds) for _ in range(repeat)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            figures[f"POST -> offer ({rate}/s, {instances} dispatch)"] = med
            print_row(f"POST -> offer ({rate}/s, {instances} dispatch)", med)
            print(f"    missing={med['missing']:.0f}  CPU per request: requests {med['cpu_requests_ms']:.2f} ms, "
                  f"dispatch {med['cpu_dispatch_ms']:.2f} ms  machine busy {med['machine_busy']:.0%} while posting"
                  f"  runs p50: {[round(r['p50'], 1) for r in runs]}  "
                  f"p99: {[round(r['p99'], 1) for r in runs]}", flush=True)
            print("    machine CPU per request while posting: " + ", ".join(
                f"{k.removeprefix('machine_ms_')} {v:.1f} ms" for k, v in med.items() if k.startswith("machine_ms_"))
                + f" (total {sum(v for k, v in med.items() if k.startswith('machine_ms_')):.1f} ms)", flush=True)
            print("    parts p50/p99 ms: " + "  ".join(
                f"{name} {med[name + '_p50']:.1f}/{med[name + '_p99']:.1f}" for name in ("post", "relay", "dispatch"))
                + "  (post: scheduled -> 201; relay: 201 -> submitted read; dispatch: submitted read -> offer read)",
                flush=True)
    floor = load("floor")
    if floor:
        print("floor (bench_floor.py, last run):", flush=True)
        for name, s in floor.items():
            print_row(name, s)
    save(f"dispatch-agency-path-{instances}", figures)
    print(json.dumps({k: {m: round(v, 2) for m, v in s.items()} for k, s in figures.items()}), flush=True)


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
