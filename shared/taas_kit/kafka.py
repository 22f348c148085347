"""Kafka plumbing: the idempotent producer, envelope (de)serialisation, and topic creation from the registry."""

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from taas_contracts.envelope import Envelope
from taas_contracts.topics import ALL_TOPICS, Topic, dead_letter_topic
from taas_kit import jsonutil

CONTENT_TYPE = b"application/cloudevents+json"


def make_producer(bootstrap_servers: str, **overrides) -> AIOKafkaProducer:
    """An idempotent producer (acks=all) tuned for low latency."""
    options = dict(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=1,
        request_timeout_ms=10_000,
        retry_backoff_ms=100,
        metadata_max_age_ms=30_000,
    )
    options.update(overrides)
    return AIOKafkaProducer(**options)


def encode(envelope: Envelope) -> bytes:
    """Structured-mode CloudEvents JSON bytes of an envelope."""
    return jsonutil.dumps(envelope.model_dump(mode="json", exclude_none=True))


def decode(value: bytes | None) -> Envelope:
    """Parse structured-mode CloudEvents JSON bytes into an envelope (raises ValueError on bad input)."""
    if value is None:
        raise ValueError("empty message value (tombstone)")
    return Envelope.model_validate(jsonutil.loads(value))


def headers_for(event_type: str, event_id: str) -> list[tuple[str, bytes]]:
    """Kafka headers that let tools route without parsing the body.

    No `ce_` headers: with them, CloudEvents SDKs take a structured-mode message for a binary-mode one.
    """
    return [("content-type", CONTENT_TYPE), ("taas_type", event_type.encode()), ("taas_id", event_id.encode())]


async def ensure_topics(bootstrap_servers: str, topics: tuple[Topic, ...] = ALL_TOPICS, with_dlq: bool = True,
                        prefix: str = "") -> list[str]:
    """Create every missing topic of the registry (and its dead-letter topic); returns the names created."""
    wanted: list[NewTopic] = []
    for t in topics:
        configs = {"cleanup.policy": "compact"} if t.compacted else {}
        wanted.append(NewTopic(prefix + t.name, t.partitions, 1, topic_configs=configs))
        if with_dlq:
            wanted.append(NewTopic(dead_letter_topic(prefix + t.name), 1, 1))
    return await create_topics(bootstrap_servers, wanted)


async def create_topics(bootstrap_servers: str, wanted: list[NewTopic]) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
            await _wait_for_leaders(admin, [t.name for t in missing])
        return [t.name for t in missing]
    finally:
        await admin.close()


async def delete_topics_with_prefix(bootstrap_servers: str, prefix: str) -> int:
    """Delete every topic whose name starts with `prefix` (test clean-up); returns how many."""
    if not prefix:
        raise ValueError("refusing to delete topics without a prefix")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        await admin.start()
        doomed = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if doomed:
            await admin.delete_topics(doomed)
        return len(doomed)
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        described = await admin.describe_topics(names)
        if all(d.get("error_code", 0) == 0 and d["partitions"] and all(p["leader"] >= 0 for p in d["partitions"])
               for d in described):
            return
        await asyncio.sleep(0.1)
