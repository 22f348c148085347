"""Ops views from the command line: the dispatch log as it happens, and dead letters with their reasons."""

import asyncio
import sys
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from taas_contracts.topics import ALL_TOPICS, DISPATCH_LOG, dead_letter_topic
from taas_kit import kafka


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    parts = consumer.partitions_for_topic(topic)
    if parts is None:
        await consumer._client.force_metadata_update()  # noqa: SLF001 - no public way to refresh metadata
        parts = consumer.partitions_for_topic(topic) or set()
    return [TopicPartition(topic, p) for p in sorted(parts)]


def last_records(records, last: int) -> list:
    """The `last` newest of `records` from every partition together, oldest first (by timestamp, partition, offset)."""
    ordered = sorted(records, key=lambda r: (r.timestamp, r.partition, r.offset))
    return ordered[-last:] if last > 0 else []


def _line(record, request: str | None) -> str | None:
    try:
        envelope = kafka.decode(record.value)
    except ValueError:
        return None
    data = envelope.data
    if request and data.get("request_id") != request:
        return None
    at = datetime.fromisoformat(str(data.get("at", envelope.time))).strftime("%H:%M:%S.%f")[:-3]
    provider = f" provider={data['provider_id']}" if data.get("provider_id") else ""
    return f"{at} {data.get('step', '?'):<9} request={data.get('request_id')}{provider}  {data.get('summary', '')}"


async def _read_to(consumer: AIOKafkaConsumer, partitions: list[TopicPartition], ends: dict) -> list:
    records = []
    while not all([await consumer.position(tp) >= ends[tp] for tp in partitions]):
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            records.extend(batch)
    return records


async def tail_dispatch_log(bootstrap: str, prefix: str, follow: bool, last: int, request: str | None,
                            out=sys.stdout) -> int:
    """Print the `last` newest records of the dispatch log overall (one line each), then follow new ones if asked.

    With `request`, the last records of that request: every partition is read from its start to find them.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    shown = 0
    try:
        partitions = await _partitions(consumer, prefix + DISPATCH_LOG.name)
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        for tp in partitions:
            # The newest `last` overall are among the newest `last` of each partition.
            consumer.seek(tp, starts[tp] if request else max(starts[tp], ends[tp] - last))
        read = await _read_to(consumer, partitions, ends)
        lines = {id(r): _line(r, request) for r in read}
        for record in last_records([r for r in read if lines[id(r)]], last):
            print(lines[id(record)], file=out, flush=True)
            shown += 1
        while follow:
            batches = await consumer.getmany(timeout_ms=500)
            for record in sorted((r for b in batches.values() for r in b), key=lambda r: r.timestamp):
                line = _line(record, request)
                if line:
                    print(line, file=out, flush=True)
                    shown += 1
        return shown
    finally:
        await consumer.stop()


async def list_dead_letters(bootstrap: str, prefix: str, out=sys.stdout) -> int:
    """Print every dead-lettered message of every registry topic with its reason; returns how many."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    count = 0
    try:
        partitions = []
        for topic in ALL_TOPICS:
            partitions += await _partitions(consumer, dead_letter_topic(prefix + topic.name))
        if not partitions:
            return 0
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while not all([await consumer.position(tp) >= ends[tp] for tp in partitions]):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for r in batch:
                    h = {k: v.decode(errors="replace") for k, v in (r.headers or [])}
                    print(f"{h.get('dlq.topic')}[{h.get('dlq.partition')}]@{h.get('dlq.offset')} "
                          f"consumer={h.get('dlq.consumer')}: {h.get('dlq.reason')}", file=out)
                    count += 1
        return count
    finally:
        await consumer.stop()


def run(coro) -> int:
    """Run an ops coroutine until done or Ctrl-C."""
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        return 0
