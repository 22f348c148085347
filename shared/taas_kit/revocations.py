"""Revoked token ids, read by every service from the compacted revocations topic (no calls between services)."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from taas_contracts.events.requests import TokenRevoked
from taas_contracts.topics import AUTH_REVOCATIONS
from taas_kit import kafka
from taas_kit.consumer import bounded
from taas_kit.logging import get_logger

log = get_logger("taas.revocations")


class RevocationWatcher:
    """Keeps the set of revoked token ids current by tailing the revocations topic from its beginning."""

    def __init__(self, bootstrap_servers: str, topic: str = AUTH_REVOCATIONS.name) -> None:
        self.bootstrap, self.topic = bootstrap_servers, topic
        self.revoked: set[str] = set()
        self.caught_up = asyncio.Event()

    async def run(self) -> None:
        """Read every revocation, then follow new ones until cancelled."""
        # One partition: a long poll delays nothing (see the runner's note on fetch_max_wait_ms) and costs the broker
        # fewer idle fetches.
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False, group_id=None,
                                    auto_offset_reset="earliest", fetch_max_wait_ms=500)
        try:
            await consumer.start()
            partitions = [TopicPartition(self.topic, p) for p in (consumer.partitions_for_topic(self.topic) or {0})]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            end = await consumer.end_offsets(partitions)
            if all(v == 0 for v in end.values()):
                self.caught_up.set()
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        self._apply(record.value)
                if not self.caught_up.is_set():
                    positions = {tp: await consumer.position(tp) for tp in partitions}
                    if all(positions[tp] >= end[tp] for tp in partitions):
                        self.caught_up.set()
        finally:
            await bounded(consumer.stop(), 15, "revocation consumer stop")

    def _apply(self, value: bytes | None) -> None:
        try:
            data = TokenRevoked.model_validate(kafka.decode(value).data)
        except ValueError:
            log.warning("ignoring a malformed revocation record")
            return
        if data.expires_at.timestamp() > time.time():
            self.revoked.add(data.jti)


async def publish_revocation(bootstrap_servers: str, jti: str, expires_at: float,
                             topic: str = AUTH_REVOCATIONS.name) -> None:
    """Publish a revocation (used by `taas keys revoke`)."""
    from datetime import UTC, datetime

    payload = TokenRevoked(jti=jti, expires_at=datetime.fromtimestamp(expires_at, UTC), revoked_at=datetime.now(UTC))
    envelope = payload.envelope(source="/taas/cli", subject=jti)
    producer: AIOKafkaProducer = kafka.make_producer(bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(topic, kafka.encode(envelope), key=jti.encode(),
                                     headers=kafka.headers_for(envelope.type, envelope.id))
    finally:
        await producer.stop()
