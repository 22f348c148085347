"""Floor figures of this machine: Kafka produce->consume, outbox commit->consume, a short asyncpg transaction.

Run: ./taas bench floor [--quick]. Later end-to-end figures are compared with these.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import NewTopic

sys.path.insert(0, str(Path(__file__).parent))
from stats import print_row, save, summary_ms  # noqa: E402
from steady import tail_consumer  # noqa: E402

from taas_contracts.envelope import Envelope  # noqa: E402
from taas_kit import db, jsonutil, kafka, migrations, outbox  # noqa: E402
from taas_kit.outbox import OutboxRelay  # noqa: E402


async def _consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    # A short poll: the floor is the broker's own latency, without the wait of a long poll in flight.
    return await tail_consumer(bootstrap, topic, fetch_max_wait_ms=5)


async def _collect(consumer: AIOKafkaConsumer, n: int, latencies: list[float], timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(latencies) < n and loop.time() < deadline:
        for batch in (await consumer.getmany(timeout_ms=50)).values():
            now = time.time()
            for record in batch:
                latencies.append(now - jsonutil.loads(record.value)["data"]["t"])


async def produce_consume(bootstrap: str, rate: int, seconds: float) -> dict:
    """Produce at a steady rate with the project's producer; latency to the consumer's hands."""
    topic = f"bench.floor.{uuid.uuid4().hex[:8]}"
    await kafka.create_topics(bootstrap, [NewTopic(topic, 3, 1)])
    consumer = await _consumer(bootstrap, topic)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    n = int(rate * seconds)
    latencies: list[float] = []
    collector = asyncio.create_task(_collect(consumer, n, latencies, seconds + 30))
    try:
        for i in range(n):
            envelope = Envelope(type="taas.bench.v1", source="/bench", data={"t": time.time(), "i": i})
            await producer.send(topic, kafka.encode(envelope), key=str(i % 50).encode())
            await asyncio.sleep(1 / rate)
        await collector
    finally:
        await producer.stop()
        await consumer.stop()
        await kafka.delete_topics_with_prefix(bootstrap, topic)
    return summary_ms(latencies)


async def outbox_consume(bootstrap: str, dsn: str, rate: int, seconds: float) -> dict:
    """Commit an outbox row at a steady rate; latency from commit to the consumer's hands."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    await migrations.apply(conn, schema, migrations.discover("bench", Path("/nonexistent")), say=lambda *_: None)
    await conn.close()
    topic = f"bench.outbox.{uuid.uuid4().hex[:8]}"
    await kafka.create_topics(bootstrap, [NewTopic(topic, 3, 1)])
    pool = await db.create_pool(dsn, schema, min_size=2, max_size=4)
    relay = OutboxRelay(dsn=dsn, schema=schema, bootstrap_servers=bootstrap, service="bench")
    relay_task = asyncio.create_task(relay.run())
    consumer = await _consumer(bootstrap, topic)
    n = int(rate * seconds)
    latencies: list[float] = []
    collector = asyncio.create_task(_collect(consumer, n, latencies, seconds + 30))
    try:
        for i in range(n):
            async with pool.acquire() as c, c.transaction():
                envelope = Envelope(type="taas.bench.v1", source="/bench", data={"t": 0.0, "i": i})
                await outbox.add(c, schema, [(topic, str(i % 50), envelope.model_copy(update={"data": {"t": time.time(), "i": i}}))])
            await asyncio.sleep(1 / rate)
        await collector
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await consumer.stop()
        await pool.close()
        await kafka.delete_topics_with_prefix(bootstrap, topic)
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()
    return summary_ms(latencies)


async def short_transaction(dsn: str, count: int) -> dict:
    """BEGIN; INSERT one row; COMMIT, one after another."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    pool = await db.create_pool(dsn, "public", min_size=1, max_size=2)
    await pool.execute(f'CREATE SCHEMA "{schema}"; CREATE TABLE "{schema}".t (id bigserial PRIMARY KEY, v text)')
    latencies: list[float] = []
    try:
        async with pool.acquire() as conn:
            for i in range(count):
                started = time.perf_counter()
                async with conn.transaction():
                    await conn.execute(f'INSERT INTO "{schema}".t (v) VALUES ($1)', str(i))
                latencies.append(time.perf_counter() - started)
    finally:
        await pool.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await pool.close()
    return summary_ms(latencies)


async def main(quick: bool) -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    dsn = os.environ["DATABASE_URL"]
    rate, seconds, tx = (100, 3, 500) if quick else (200, 15, 5000)
    print(f"floor benchmark ({'quick' if quick else 'full'}): {rate} msg/s for {seconds}s; {tx} transactions", flush=True)
    figures = {
        "kafka produce->consume": await produce_consume(bootstrap, rate, seconds),
        "outbox commit->consume": await outbox_consume(bootstrap, dsn, rate, seconds),
        "asyncpg short transaction": await short_transaction(dsn, tx),
    }
    for name, s in figures.items():
        print_row(name, s)
    save("floor", figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short form, as in CI")
    asyncio.run(main(parser.parse_args().quick))
