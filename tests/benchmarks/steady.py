"""A path of services under steady load: POSTs at fixed rates, each one's outcome read off Kafka by header and key,
and where the whole machine's CPU went while posting (bench_dispatch --agency and bench_skeleton share it)."""

import asyncio
import gc
import json
import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable

import aiohttp
from aiokafka import AIOKafkaConsumer

from cpu import cpu_seconds, group_cpu, machine_busy
from scaffold import drop_schema
from stats import load, print_row, save, summary_ms

from taas_kit import kafka
from taas_kit.testing import spawn_service

SECRET = "bench-agency-path"
# What an agency posts on the real path; the skeleton posts the same body, so both parse and store the same bytes.
AGENCY_BODY = {"kind": "incident", "severity": "high", "role": "ciso", "required_skills": ["ransomware"],
               "max_hourly_rate_cents": 25_000, "expected_hours": 4, "description": "benchmark"}


def start_service(module: str, env_prefix: str, dsn: str, bootstrap: str, schema: str, prefix: str, group: str,
                  port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m module` on its schema, topic prefix, consumer group and port, logging warnings only."""
    env = {**os.environ, "DATABASE_URL": dsn, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TAAS_TOPIC_PREFIX": prefix,
           "TAAS_AUTH_SECRET": SECRET, f"{env_prefix}DB_SCHEMA": schema, f"{env_prefix}CONSUMER_GROUP": group,
           f"{env_prefix}HTTP_PORT": str(port), f"{env_prefix}LOG_LEVEL": "WARNING", **(env or {})}
    profile = os.environ.get("BENCH_PROFILE_DIR")  # cProfile each process; written when it stops (SIGTERM)
    wrap = ["-m", "cProfile", "-o", f"{profile}/{module}-{port}.prof"] if profile else []
    logs = profile or os.environ.get("BENCH_LOG_DIR")  # each process's output kept there
    out = open(f"{logs}/{module}-{port}.log", "wb") if logs else subprocess.DEVNULL  # noqa: SIM115
    return spawn_service(module, env, python_args=tuple(wrap), stdout=out, stderr=subprocess.STDOUT)


async def tail_consumer(bootstrap: str, *topics: str, fetch_max_wait_ms: int = 500) -> AIOKafkaConsumer:
    """A consumer of `topics` in a group of its own, positioned at their ends."""
    # A long poll spares the machine the CPU of hundreds of empty fetches a second. The broker answers as soon as a
    # record lands; but aiokafka sends no fetch while one is in flight, and a partition just read is not in the one
    # in flight, so its next record waits for a record on another partition (a few ms at these rates, up to the
    # whole wait when the others are quiet). The services' consumers see the same (see docs/kit.md).
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:8]}",
                                enable_auto_commit=False, auto_offset_reset="latest", fetch_max_wait_ms=fetch_max_wait_ms)
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=50)
    await consumer.seek_to_end()
    return consumer


class SteadyPath:
    """Service processes by group on fresh schemas and topics, a poster of `body` to `url`, a reader of outcomes.

    A subclass starts everything in `start` (adding its schemas to `schemas` and its processes to `groups` as it
    goes, then calling `listen`) and names the front's event (`relayed`), the outcome (`outcome`, the first event
    of one of those types per key) and the part between them (`last_part`, explained in `legend`). Whatever was
    started is stopped and deleted on the way out, also when starting failed.
    """

    relayed: str = ""
    outcome: tuple[str, ...] = ()
    last_part: str = ""
    legend: str = ""

    def __init__(self, dsn: str, bootstrap: str) -> None:
        self.dsn, self.bootstrap = dsn, bootstrap
        self.run = uuid.uuid4().hex[:8]
        self.prefix = f"bench.{self.run}."
        self.schemas: list[str] = []
        self.groups: dict[str, list[subprocess.Popen]] = {}
        self.url, self.body, self.headers = "", AGENCY_BODY, {}
        self.http: aiohttp.ClientSession | None = None
        self.consumer: AIOKafkaConsumer | None = None
        self.reader: asyncio.Task | None = None
        self.done: dict[str, float] = {}  # key -> when its outcome was read
        self.read_first: dict[str, float] = {}  # key -> when the front's event was read
        self.answered: dict[str, float] = {}  # key -> when the POST answered 201

    async def start(self) -> None:
        """Schemas, topics and processes, then `listen`; ready to post when it returns."""
        raise NotImplementedError

    async def __aenter__(self):
        try:
            await self.start()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            if self.reader is not None:
                self.reader.cancel()
            if self.consumer is not None:
                await self.consumer.stop()
            if self.http is not None:
                await self.http.close()
            procs = [p for group in self.groups.values() for p in group]
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
        finally:
            try:
                for schema in self.schemas:
                    await drop_schema(self.dsn, schema)
            finally:
                # Left behind, every run's topics would add their partitions to the broker's work for good.
                await kafka.delete_topics_with_prefix(self.bootstrap, self.prefix)

    async def listen(self, *topics: str) -> None:
        """Open the HTTP client and start reading `topics` from their ends."""
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        self.consumer = await tail_consumer(self.bootstrap, *topics)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            for batch in (await self.consumer.getmany(timeout_ms=50)).values():
                arrived = time.time()
                for record in batch:
                    # The type header and the key (the same id on every topic read) are enough: no JSON parsing
                    # in the load generator, which shares the machine with what it measures.
                    kind = dict(record.headers).get("taas_type", b"").decode()
                    if kind in self.outcome:
                        self.done.setdefault(record.key.decode(), arrived)
                    elif kind == self.relayed:
                        self.read_first.setdefault(record.key.decode(), arrived)

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each group of our service processes."""
        return {name: sum(cpu_seconds(p.pid) for p in procs) for name, procs in self.groups.items()}

    def own(self) -> dict[str, set[int]]:
        """Our processes by group, for `group_cpu`."""
        return {**{name: {p.pid for p in procs} for name, procs in self.groups.items()},
                "load generator": {os.getpid()}}

    async def idle_cpu(self, seconds: float = 3.0) -> dict[str, float]:
        """CPU per second of every group on the machine with no load (polls, heartbeats, commits)."""
        before = group_cpu(self.own())
        await asyncio.sleep(seconds)
        return {k: (v - before[k]) / seconds for k, v in group_cpu(self.own()).items()}

    async def post(self, scheduled: float) -> str | None:
        """POST one body at its scheduled wall-clock instant; the id answered, or None if refused."""
        await asyncio.sleep(max(0.0, scheduled - time.time()))
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        async with self.http.post(self.url, json=self.body, headers=headers) as resp:
            body = await resp.json()
            if resp.status != 201:
                return None
            self.answered[body["id"]] = time.time()
            return body["id"]

    async def steady(self, rate: float, seconds: float) -> dict:
        """POST at `rate`/s for `seconds`: latency from each scheduled POST to its outcome read off the topic."""
        n = int(rate * seconds)
        t0 = time.time() + 0.2
        own = self.own()
        cpu_before, machine_before, groups_before = self.cpu(), machine_busy(), group_cpu(own)
        ids = await asyncio.gather(*(self.post(t0 + i / rate) for i in range(n)))
        machine = [b - a for a, b in zip(machine_before, machine_busy(), strict=True)]
        # Where the whole machine's CPU went while posting, per request (not only our services).
        groups = {f"machine_ms_{k}": (v - groups_before[k]) * 1000 / n for k, v in group_cpu(own).items()}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(i in self.done for i in ids if i):
            await asyncio.sleep(0.05)
        cpu = {f"cpu_{k}_ms": (v - cpu_before[k]) * 1000 / n for k, v in self.cpu().items()}
        done = [(t0 + k / rate, i) for k, i in enumerate(ids) if i and i in self.done and i in self.read_first]
        parts = {"post": [self.answered[i] - t for t, i in done],
                 "relay": [self.read_first[i] - self.answered[i] for t, i in done],
                 self.last_part: [self.done[i] - self.read_first[i] for t, i in done]}
        return {**summary_ms([self.done[i] - t for t, i in done]), "missing": n - len(done), **cpu,
                "machine_busy": machine[0] / machine[1] if machine[1] else float("nan"), **groups,
                **{f"{name}_p50": summary_ms(v)["p50"] for name, v in parts.items()},
                **{f"{name}_p99": summary_ms(v)["p99"] for name, v in parts.items()}}


async def measure(path: SteadyPath, rates: list[int], seconds: float, repeat: int,
                  label: Callable[[int], str]) -> dict[str, dict]:
    """Warm up, print the idle CPU, then each rate's medians of `repeat` runs; the figures by `label(rate)`."""
    await path.steady(20, 3)  # warm-up: group joined, connections and plans warm
    gc.freeze()  # the load generator's own full collections would show up as latency of the system
    idle = await path.idle_cpu()
    print("  idle CPU (ms/s): " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in idle.items()), flush=True)
    figures: dict[str, dict] = {}
    for rate in rates:
        runs = [await path.steady(rate, seconds) for _ in range(repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        figures[label(rate)] = med
        print_row(label(rate), med)
        print(f"    missing={med['missing']:.0f}  CPU per request: "
              + ", ".join(f"{name} {med[f'cpu_{name}_ms']:.2f} ms" for name in path.groups)
              + f"  machine busy {med['machine_busy']:.0%} while posting"
              f"  runs p50: {[round(r['p50'], 1) for r in runs]}  "
              f"p99: {[round(r['p99'], 1) for r in runs]}", flush=True)
        print("    machine CPU per request while posting: " + ", ".join(
            f"{k.removeprefix('machine_ms_')} {v:.1f} ms" for k, v in med.items() if k.startswith("machine_ms_"))
            + f" (total {sum(v for k, v in med.items() if k.startswith('machine_ms_')):.1f} ms)", flush=True)
        print("    parts p50/p99 ms: " + "  ".join(
            f"{name} {med[name + '_p50']:.1f}/{med[name + '_p99']:.1f}" for name in ("post", "relay", path.last_part))
            + f"  {path.legend}", flush=True)
    return figures


def report(name: str, figures: dict[str, dict]) -> None:
    """Print the floor's last figures, keep these under `name` and print them as JSON."""
    floor = load("floor")
    if floor:
        print("floor (bench_floor.py, last run):", flush=True)
        for row, s in floor.items():
            print_row(row, s)
    save(name, figures)
    print(json.dumps({k: {m: round(v, 2) for m, v in s.items()} for k, s in figures.items()}), flush=True)
