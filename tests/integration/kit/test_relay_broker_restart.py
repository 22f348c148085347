"""Fault drill: the outbox relay resumes by itself after the broker restarts (on a drill broker of its own)."""

import asyncio
import contextlib
import shutil

import pytest

from taas_contracts.envelope import Envelope
from taas_deploy import kafka as local_kafka
from taas_kit import outbox
from taas_kit.kafka import create_topics, decode
from taas_kit.outbox import OutboxRelay

pytestmark = pytest.mark.integration

DRILL = local_kafka.Node(name="kafka-drill", port=19092, controller_port=19093)


@pytest.fixture
async def drill_broker():
    """A second, throwaway broker that this test may stop and start at will."""
    if shutil.which("java") is None:
        pytest.skip("the broker-restart drill needs Java to run a broker of its own")
    shutil.rmtree(DRILL.home, ignore_errors=True)
    bootstrap = await local_kafka.start_async(DRILL)
    yield bootstrap
    await local_kafka.stop_async(DRILL)
    shutil.rmtree(DRILL.home, ignore_errors=True)


async def test_relay_resumes_after_broker_restart(pool, schema, pg_dsn, drill_broker, read_topic):
    from aiokafka.admin import NewTopic

    topic = "drill.events"
    await create_topics(drill_broker, [NewTopic(topic, 1, 1)])
    relay = OutboxRelay(dsn=pg_dsn, schema=schema, bootstrap_servers=drill_broker, service="drill",
                        poll_seconds=0.5, send_timeout=5.0)
    task = asyncio.create_task(relay.run())

    async def write(n: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            event = Envelope(type="taas.test.happened.v1", source="/tests", data={"n": n})
            await outbox.add(conn, schema, [(topic, "k", event)])

    async def outbox_empty(timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if await pool.fetchval("SELECT count(*) FROM outbox") == 0:
                return True
            await asyncio.sleep(0.2)
        return False

    try:
        for n in range(5):
            await write(n)
        assert await outbox_empty(20)
        await local_kafka.stop_async(DRILL)
        for n in range(5, 10):  # committed while the broker is down: they wait in the outbox
            await write(n)
        await asyncio.sleep(2)
        assert await pool.fetchval("SELECT count(*) FROM outbox") == 5
        await local_kafka.start_async(DRILL)
        assert await outbox_empty(60), "the relay did not resume after the broker came back"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=drill_broker, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    got: list[int] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while len(set(got)) < 10 and loop.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                got.extend(decode(r.value).data["n"] for r in batch)
    finally:
        await consumer.stop()
    # Every event arrived, in order; a retried batch may repeat (consumers dedupe on the event id).
    assert sorted(set(got)) == list(range(10))
    firsts = list(dict.fromkeys(got))
    assert firsts == list(range(10))
