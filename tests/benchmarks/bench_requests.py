"""Benchmark of the requests service: requests accepted per second, and the p99 of POST /v1/requests at that rate.

Starts `python -m taas_requests` on a fresh schema and unique topics (so nobody else's consumers see the
load), onboards one agency, then:
1. closed loop: N workers POST incident requests back to back (each with a fresh Idempotency-Key) and the
   accepted (201) rate is measured at a few concurrencies;
2. open loop: requests are started on a fixed schedule at 50 % and 80 % of the best accepted rate, and the
   latency of every POST is measured from its scheduled start (so queueing counts), giving p50/p99 at a rate
   the service sustains (the RESULT line names the highest rate sustained, within 5 %).

Run: `./taas bench requests` (or `--quick` for a short CI form).
"""

import argparse
import asyncio
import os
import statistics
import time
import uuid

import aiohttp

from taas_kit import auth
from taas_kit.kafka import delete_topics_with_prefix, ensure_topics
from taas_kit.testing import free_port, spawn_service, wait_ready
from taas_requests.app import MIGRATIONS
from taas_requests.settings import RequestsSettings

from scaffold import drop_schema, migrated_schema

BODY = {"kind": "incident", "severity": "high", "role": "incident_responder", "required_skills": ["ransomware"],
        "certifications": ["GCIH"], "clearances": ["cjis"], "max_hourly_rate_cents": 20_000, "expected_hours": 6,
        "description": "benchmark"}


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


async def _post(http: aiohttp.ClientSession, url: str, headers: dict) -> int:
    async with http.post(url, json=BODY, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}) as resp:
        await resp.read()
        return resp.status


async def closed_loop(base: str, headers: dict, concurrency: int, seconds: float) -> tuple[float, list[float], int]:
    """Workers back to back for `seconds`: (accepted per second, latencies in ms, errors)."""
    url, latencies, errors = f"{base}/v1/requests", [], 0
    end = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < end:
                started = time.perf_counter()
                status = await _post(http, url, headers)
                if status == 201:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors += 1
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


async def open_loop(base: str, headers: dict, rate: float, seconds: float) -> tuple[float, list[float], int]:
    """Requests started on a fixed schedule; latency counted from the scheduled start."""
    url, latencies, errors = f"{base}/v1/requests", [], 0
    total = int(rate * seconds)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as http:
        t0 = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = t0 + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            status = await _post(http, url, headers)
            if status == 201:
                latencies.append((time.perf_counter() - scheduled) * 1000)
            else:
                errors += 1
        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - t0
    return len(latencies) / elapsed, latencies, errors


async def main(quick: bool) -> None:
    dsn = os.environ.get("DATABASE_URL", RequestsSettings().database_url)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    schema, prefix = await migrated_schema(dsn, "requests", MIGRATIONS), f"bench_{uuid.uuid4().hex[:8]}."
    await ensure_topics(bootstrap, prefix=prefix)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dsn, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TAAS_TOPIC_PREFIX": prefix,
           "TAAS_REQUESTS_DB_SCHEMA": schema, "TAAS_REQUESTS_HTTP_PORT": str(port), "TAAS_REQUESTS_LOG_LEVEL": "WARNING",
           "TAAS_REQUESTS_CONSUMER_GROUP": f"bench-{uuid.uuid4().hex[:8]}"}
    proc = spawn_service("taas_requests", env, stdout=None)
    base = f"http://127.0.0.1:{port}"
    secret = RequestsSettings().auth_secret
    try:
        await wait_ready(base, proc, timeout=30)
        agency_id = f"bench-{uuid.uuid4().hex[:8]}"
        ops = {"Authorization": f"Bearer {auth.issue(secret, 'ops')}"}
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/v1/agencies", headers=ops, json={
                    "id": agency_id, "name": "Bench County", "state": "MN", "jurisdiction": "Bench",
                    "population": 10_000, "time_zone": "America/Chicago"}) as resp:
                assert resp.status == 201, await resp.text()
        headers = {"Authorization": f"Bearer {auth.issue(secret, 'agency', tenant=agency_id)}"}
        seconds = 3.0 if quick else 10.0
        await closed_loop(base, headers, 4, 1.0)  # warm-up: connections, prepared statements
        print(f"closed loop, {seconds:.0f} s per level (POST /v1/requests, each a new request + outbox event)")
        best = 0.0
        for concurrency in ((8, 32) if quick else (4, 16, 32, 64)):
            rate, lat, errors = await closed_loop(base, headers, concurrency, seconds)
            best = max(best, rate)
            print(f"  concurrency {concurrency:3d}: {rate:7.1f} accepted/s  p50 {_pct(lat, 50):6.1f} ms  "
                  f"p99 {_pct(lat, 99):6.1f} ms  errors {errors}")
        sustained = None
        for share in (0.5, 0.8):
            target = max(1, round(best * share))
            rate, lat, errors = await open_loop(base, headers, target, seconds)
            print(f"open loop at {target} req/s ({share:.0%} of best): {rate:.1f} accepted/s  "
                  f"p50 {_pct(lat, 50):.1f} ms  p99 {_pct(lat, 99):.1f} ms  max {max(lat):.1f} ms  "
                  f"mean {statistics.fmean(lat):.1f} ms  errors {errors}")
            if rate >= 0.95 * target:
                sustained = (target, _pct(lat, 99))
        if sustained:
            print(f"RESULT accepted_per_second={best:.1f} p99_ms_at_{sustained[0]}_per_second={sustained[1]:.1f}")
        else:
            print(f"RESULT accepted_per_second={best:.1f} (no open-loop rate was sustained on this run)")
    finally:
        proc.terminate()
        proc.wait(20)
        await drop_schema(dsn, schema)
        await delete_topics_with_prefix(bootstrap, prefix)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run for CI")
    asyncio.run(main(parser.parse_args().quick))
