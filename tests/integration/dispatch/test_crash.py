"""A dispatch process killed with SIGKILL while offers are open fires every deadline exactly once after restart."""

import asyncio
import json
import os
import signal
import subprocess
from collections import defaultdict

import pytest

from taas_contracts.topics import DISPATCH_EVENTS
from taas_kit.testing import free_port, spawn_service

pytestmark = pytest.mark.integration

REQUESTS, PROVIDERS, CANDIDATES = 12, 4, 2


def _start(settings, group: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "TAAS_TOPIC_PREFIX": settings.topic_prefix,
        "TAAS_DISPATCH_DB_SCHEMA": settings.db_schema,
        "TAAS_DISPATCH_CONSUMER_GROUP": group,
        "TAAS_DISPATCH_HTTP_PORT": str(free_port()),
        "TAAS_DISPATCH_TIMER_POLL_SECONDS": "0.05",
        "TAAS_DISPATCH_OUTBOX_POLL_SECONDS": "0.2",
        "TAAS_DISPATCH_OFFER_POLICY": json.dumps({"high": {"answer_window_seconds": 3}}),
        "TAAS_DISPATCH_MATCHING": json.dumps({"max_candidates": CANDIDATES}),
        "TAAS_DISPATCH_LOG_LEVEL": "WARNING",
    }
    return spawn_service("taas_dispatch", env, stderr=subprocess.DEVNULL)


async def test_sigkill_with_open_offers_then_restart_fires_each_deadline_exactly_once(settings, harness):
    group = harness.uid("g")
    process = _start(settings, group)
    try:
        await harness.send(*(harness.snapshot(harness.uid("p"), rate=5_000 + i) for i in range(PROVIDERS)))
        await harness.providers_loaded(PROVIDERS, timeout=60)
        agency = harness.uid("a")
        await harness.send(*(harness.submitted(harness.uid("r"), agency) for _ in range(REQUESTS)))
        await harness.wait_for(lambda: harness.pool.fetchval(
            "SELECT count(*) = $1 FROM offers WHERE status = 'pending'", REQUESTS), timeout=60, what="open offers")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        # Let every deadline pass while nobody runs (a wait for a known instant, not for a condition).
        due = await harness.pool.fetchval("SELECT max(expires_at) FROM offers")
        await asyncio.sleep(max(0.0, (due - harness.now()).total_seconds()) + 0.3)
        assert await harness.pool.fetchval("SELECT count(*) FROM offers WHERE status = 'pending'") == REQUESTS
        process = _start(settings, group)
        await harness.wait_for(lambda: harness.pool.fetchval(
            "SELECT count(*) = $1 FROM requests WHERE status = 'unfilled'", REQUESTS), timeout=60, what="unfilled")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)

    offers = await harness.pool.fetch("SELECT offer_id, status FROM offers")
    assert len(offers) == REQUESTS * CANDIDATES and {o["status"] for o in offers} == {"expired"}
    assert await harness.pool.fetchval("SELECT count(*) FROM timers WHERE kind = 'offer_expiry'") == 0
    deadlines = await harness.pool.fetch(
        "SELECT detail ->> 'offer_id' AS offer_id, count(*) AS n FROM dispatch_log WHERE step = 'deadline' GROUP BY 1")
    assert sorted(r["n"] for r in deadlines) == [1] * len(offers)

    events = await harness.read_events(DISPATCH_EVENTS, lambda found: len(
        {e.data["offer_id"] for e in found if e.type == "taas.offer.expired.v1"}) >= len(offers), settle=1.0)
    # The relay publishes at least once (a kill between send and delete repeats an event with the same id);
    # exactly once means one distinct expiry event per offer.
    expiries: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.type == "taas.offer.expired.v1":
            expiries[e.data["offer_id"]].add(e.id)
    assert {o["offer_id"] for o in offers} == set(expiries)
    assert all(len(ids) == 1 for ids in expiries.values())
