"""The transactional outbox against the real PostgreSQL and Kafka."""

import asyncio
import contextlib

import pytest

from taas_contracts.envelope import Envelope
from taas_kit import outbox
from taas_kit.kafka import decode
from taas_kit.outbox import OutboxRelay
from taas_kit.testing import running

pytestmark = pytest.mark.integration


def _event(key: str, n: int) -> Envelope:
    return Envelope(type="taas.test.happened.v1", source="/tests", subject=key, data={"key": key, "n": n})


@contextlib.asynccontextmanager
async def running_relay(pg_dsn: str, schema: str, kafka_bootstrap: str, **kw):
    relay = OutboxRelay(dsn=pg_dsn, schema=schema, bootstrap_servers=kafka_bootstrap, service="test", **kw)
    async with running(relay.run()):
        yield relay


async def test_rolled_back_transaction_publishes_nothing(pool, schema, pg_dsn, kafka_bootstrap, make_topic, read_topic):
    topic = await make_topic()
    async with running_relay(pg_dsn, schema, kafka_bootstrap):
        with contextlib.suppress(RuntimeError):
            async with pool.acquire() as conn, conn.transaction():
                await outbox.add(conn, schema, [(topic, "k1", _event("k1", 1))])
                raise RuntimeError("business rule failed")
        async with pool.acquire() as conn, conn.transaction():
            await outbox.add(conn, schema, [(topic, "k2", _event("k2", 1))])
        records = await read_topic(topic, 1, settle=1.5)
    assert [decode(r.value).data for r in records] == [{"key": "k2", "n": 1}]
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_committed_events_publish_exactly_once_in_order_per_key(pool, schema, pg_dsn, kafka_bootstrap,
                                                                      make_topic, read_topic):
    topic = await make_topic(partitions=3)
    keys = [f"agg-{i}" for i in range(5)]
    async with running_relay(pg_dsn, schema, kafka_bootstrap):
        for n in range(20):
            async with pool.acquire() as conn, conn.transaction():
                await outbox.add(conn, schema, [(topic, k, _event(k, n)) for k in keys])
        records = await read_topic(topic, 100, settle=1.0)
    assert len(records) == 100
    envelopes = [decode(r.value) for r in records]
    assert len({e.id for e in envelopes}) == 100
    for k in keys:
        assert [e.data["n"] for e in envelopes if e.data["key"] == k] == list(range(20))
    assert {r.key.decode() for r in records} == set(keys)


async def test_relay_is_woken_by_notify_not_by_polling(pool, schema, pg_dsn, kafka_bootstrap, make_topic, read_topic):
    topic = await make_topic(partitions=1)
    async with running_relay(pg_dsn, schema, kafka_bootstrap, poll_seconds=30.0):
        await asyncio.sleep(0.5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with pool.acquire() as conn, conn.transaction():
            await outbox.add(conn, schema, [(topic, "k", _event("k", 1))])
        records = await read_topic(topic, 1, timeout=10)
        elapsed = loop.time() - started
    assert len(records) == 1
    assert elapsed < 10  # far below the 30 s poll interval: the NOTIFY woke the relay


async def test_only_one_relay_publishes_per_schema(pool, schema, pg_dsn, kafka_bootstrap, make_topic, read_topic):
    topic = await make_topic(partitions=1)
    async with running_relay(pg_dsn, schema, kafka_bootstrap), running_relay(pg_dsn, schema, kafka_bootstrap):
        for n in range(30):
            async with pool.acquire() as conn, conn.transaction():
                await outbox.add(conn, schema, [(topic, "k", _event("k", n))])
        records = await read_topic(topic, 30, settle=1.0)
    assert [decode(r.value).data["n"] for r in records] == list(range(30))


async def test_published_rows_go_with_the_next_read_or_when_the_relay_stops(pool, schema, pg_dsn, kafka_bootstrap,
                                                                            make_topic, read_topic):
    topic = await make_topic(partitions=1)
    async with running_relay(pg_dsn, schema, kafka_bootstrap, poll_seconds=30.0):
        await asyncio.sleep(0.5)  # started and drained: from here on only NOTIFYs wake it
        for n in range(2):
            async with pool.acquire() as conn, conn.transaction():
                await outbox.add(conn, schema, [(topic, "k", _event("k", n))])
            await read_topic(topic, n + 1, timeout=10)
            # The drained relay waits for a wake-up before deleting what it published: only the last batch stays.
            assert [r["n"] for r in await pool.fetch(
                "SELECT (envelope -> 'data' ->> 'n')::int AS n FROM outbox ORDER BY id")] == [n]
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0  # a clean stop deletes it
