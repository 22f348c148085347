"""Availability figures: schedule updates per second sustained through the HTTP API, and update -> snapshot consumed.

Run: KAFKA_BOOTSTRAP_SERVERS=... DATABASE_URL=... .venv/bin/python tests/benchmarks/bench_availability.py [--quick]
(the variables `./taas test` sets), or `taas bench availability`. The availability app runs in-process (HTTP API,
outbox relay) on a fresh schema and a fresh topic prefix, exactly as in production apart from the names. Clients
PUT weekly schedules (each one recomputes 60 days of availability and writes a snapshot to the outbox); a consumer
on the compacted provider topic notes when each (provider, version) arrives.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
from aiokafka import AIOKafkaConsumer, TopicPartition

sys.path.insert(0, str(Path(__file__).parent))
from stats import print_row, save, summary_ms  # noqa: E402
from scaffold import drop_schema, migrated_schema  # noqa: E402

from taas_availability.app import MIGRATIONS, create_app  # noqa: E402
from taas_availability.settings import AvailabilitySettings  # noqa: E402
from taas_contracts.topics import PROVIDER_SNAPSHOTS  # noqa: E402
from taas_kit import auth, jsonutil, kafka  # noqa: E402
from taas_kit.logging import configure_logging  # noqa: E402


def _schedule(i: int) -> dict:
    """A weekday schedule that differs from the previous one (so every PUT is a real change)."""
    start = 6 + i % 4
    return {"windows": [{"day": d, "start": f"{start:02d}:00", "end": f"{start + 9:02d}:30"} for d in range(5)]
            + [{"day": 5, "start": "10:00", "end": "14:00"}]}


class Arrivals:
    """A consumer of the provider topic noting when each (provider, version) reached it."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                         fetch_max_wait_ms=5)
        self.topic = topic
        self.at: dict[tuple[str, int], float] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        await self.consumer.start()
        parts = [TopicPartition(self.topic, p) for p in range(PROVIDER_SNAPSHOTS.partitions)]
        self.consumer.assign(parts)
        await self.consumer.seek_to_end(*parts)
        for tp in parts:
            await self.consumer.position(tp)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            for batch in (await self.consumer.getmany(timeout_ms=50)).values():
                now = time.perf_counter()
                for record in batch:
                    data = jsonutil.loads(record.value)["data"]
                    self.at[(data["provider_id"], data["version"])] = now

    async def wait_for(self, keys: list[tuple[str, int]], timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(k not in self.at for k in keys):
            if loop.time() > deadline:
                missing = sum(k not in self.at for k in keys)
                raise TimeoutError(f"{missing} of {len(keys)} snapshots not consumed after {timeout} s")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.consumer.stop()


async def _onboard(session: aiohttp.ClientSession, server: TestServer, ops: dict, n: int) -> list[str]:
    ids = []
    for i in range(n):
        body = {"id": f"bench-{uuid.uuid4().hex[:10]}", "name": f"Bench {i}", "roles": ["incident_responder"],
                "hourly_rate_cents": 12_000, "time_zone": ["America/Chicago", "America/New_York", "Europe/Berlin"][i % 3],
                "capacity": 2, **_schedule(i)}
        async with session.post(server.make_url("/v1/providers"), json=body, headers=ops) as resp:
            assert resp.status == 201, await resp.text()
            ids.append(body["id"])
    return ids


async def _update(session, server, headers, pid: str, i: int) -> tuple[float, int]:
    started = time.perf_counter()
    async with session.put(server.make_url(f"/v1/providers/{pid}/schedule"), json=_schedule(i),
                           headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        return started, (await resp.json())["version"]


async def sustained(session, server, headers, arrivals: Arrivals, providers: list[str], clients: int,
                    seconds: float) -> dict:
    """`clients` concurrent clients, each updating its own providers in turn, for `seconds`."""
    sent: list[tuple[str, int, float]] = []
    stop_at = time.perf_counter() + seconds

    async def client(mine: list[str]) -> None:
        i = 0
        while time.perf_counter() < stop_at:
            pid = mine[i % len(mine)]
            started, version = await _update(session, server, headers, pid, i)
            sent.append((pid, version, started))
            i += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(providers[c::clients]) for c in range(clients)))
    elapsed = time.perf_counter() - began
    await arrivals.wait_for([(p, v) for p, v, _ in sent], timeout=120)
    drained = max(arrivals.at[(p, v)] for p, v, _ in sent) - began
    latencies = [arrivals.at[(p, v)] - t for p, v, t in sent]
    return {"updates": len(sent), "clients": clients, "seconds": elapsed, "per_second": len(sent) / elapsed,
            "snapshots_consumed_per_second": len(sent) / drained, "latency_under_load": summary_ms(latencies)}


async def paced(session, server, headers, arrivals: Arrivals, providers: list[str], rate: float, n: int) -> dict:
    """Updates at a steady `rate` per second: update sent -> its snapshot consumed."""
    sent: list[tuple[str, int, float]] = []

    async def one(i: int) -> None:
        pid = providers[i % len(providers)]
        started, version = await _update(session, server, headers, pid, 1000 + i)
        sent.append((pid, version, started))

    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(one(i)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)
    await arrivals.wait_for([(p, v) for p, v, _ in sent], timeout=60)
    return summary_ms([arrivals.at[(p, v)] - t for p, v, t in sent])


async def main(quick: bool) -> None:
    configure_logging("WARNING", json=True)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    dsn = os.environ["DATABASE_URL"]
    n_providers, clients, seconds, rate, n_paced = (40, 4, 5.0, 20, 100) if quick else (200, 8, 20.0, 30, 600)
    prefix = f"bench_{uuid.uuid4().hex[:8]}."
    await kafka.ensure_topics(bootstrap, prefix=prefix)
    schema = await migrated_schema(dsn, "availability", MIGRATIONS)
    settings = AvailabilitySettings(database_url=dsn, db_schema=schema, kafka_bootstrap_servers=bootstrap,
                                    topic_prefix=prefix, consumer_group=f"bench-{uuid.uuid4().hex[:8]}")
    print(f"availability benchmark ({'quick' if quick else 'full'}): {n_providers} providers; PUT schedule by "
          f"{clients} clients for {seconds:.0f} s; {n_paced} paced at {rate}/s; horizon {settings.horizon_days} days",
          flush=True)
    server = TestServer(create_app(settings))
    await server.start_server()
    arrivals = Arrivals(bootstrap, settings.topic(PROVIDER_SNAPSHOTS))
    ops = {"Authorization": f"Bearer {auth.issue(settings.auth_secret, 'ops')}"}
    try:
        async with aiohttp.ClientSession() as session:
            await arrivals.start()
            providers = await _onboard(session, server, ops, n_providers)
            await sustained(session, server, ops, arrivals, providers, clients, 1.0)  # warm-up
            load = await sustained(session, server, ops, arrivals, providers, clients, seconds)
            quiet = await paced(session, server, ops, arrivals, providers, rate, n_paced)
    finally:
        await arrivals.stop()
        await server.close()
        await drop_schema(dsn, schema)
        await kafka.delete_topics_with_prefix(bootstrap, prefix)  # left behind, they burden the broker for good
    print(f"  {'schedule updates (PUT, HTTP 200) sustained':<44} n={load['updates']:>6}  {load['per_second']:8.1f} "
          f"per second ({load['clients']} clients, {load['seconds']:.1f} s)", flush=True)
    print(f"  {'snapshots consumed (same run)':<44} {'':>8}  {load['snapshots_consumed_per_second']:8.1f} per second",
          flush=True)
    print_row("update -> snapshot consumed, under that load", load["latency_under_load"])
    print_row(f"update -> snapshot consumed, paced {rate}/s", quiet)
    save("availability", {"sustained": load, "paced": {"rate": rate, **quiet}})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short form, as in CI")
    asyncio.run(main(parser.parse_args().quick))
