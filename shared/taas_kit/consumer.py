"""Consumer runner: auto-commit off, inbox in the handler's transaction, offsets committed after, dead letters."""

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any
from contextvars import ContextVar

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter
from pydantic import ValidationError

from taas_contracts.envelope import Envelope
from taas_contracts.events import parse_payload
from taas_contracts.topics import dead_letter_topic
from taas_kit import backoff, inbox, kafka
from taas_kit.kafka import create_topics
from taas_kit.logging import bound, get_logger

log = get_logger("taas.consumer")

HANDLED = Counter("taas_consumer_messages_total", "Messages handled", ["consumer", "outcome"])

# Which attempt at the message being handled this is: 1, then 2, 3, ... when the runner retries it after the handler
# raised (a `together` batch is a try of its own: its messages are then handled alone from 1). A handler that can
# do its work more cheaply but less safely on a first attempt reads it (dispatch's intake skips a savepoint).
ATTEMPT: ContextVar[int] = ContextVar("taas_consumer_attempt", default=1)

Handler = Callable[[asyncpg.Connection, Envelope], Awaitable[None]]
BatchHandler = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]
UseCase = Callable[[asyncpg.Connection, Any, Any, Envelope], Awaitable[None]]


def table_handler(use_cases: Mapping[str, UseCase], deps: Any) -> Handler:
    """The runner's handler for a service's table of use cases by event type; other types on its topics are skipped."""
    async def handle(conn: asyncpg.Connection, envelope: Envelope) -> None:
        use_case = use_cases.get(envelope.type)
        if use_case is not None:
            await use_case(conn, deps, parse_payload(envelope), envelope)
    return handle


_TRANSIENT = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
              asyncpg.DeadlockDetectedError, asyncpg.SerializationError, asyncio.TimeoutError)


class PoisonMessage(Exception):
    """A message that can never be handled; it goes to the dead-letter topic with this reason."""


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, runner: "ConsumerRunner") -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked) -> None:
        await self.runner.commit(only=set(revoked))

    async def on_partitions_assigned(self, assigned) -> None:
        log.info("partitions assigned", consumer=self.runner.name, partitions=sorted(f"{tp.topic}:{tp.partition}" for tp in assigned))


class ConsumerRunner:
    """Runs one consumer group member: each message handled once in a transaction with its inbox row."""

    def __init__(self, *, name: str, topics: list[str], group_id: str, bootstrap_servers: str, pool: asyncpg.Pool,
                 handler: Handler, max_batch: int = 200, max_attempts: int = 3,
                 parallel_partitions: bool = False, commit_interval_ms: int = 0, fetch_max_wait_ms: int = 100,
                 fetch_min_bytes: int = 1, together: bool = False,
                 batch_handler: BatchHandler | None = None, self_deduplicating: Collection[str] = ()) -> None:
        self.name, self.topics, self.group_id = name, topics, group_id
        self.bootstrap, self.pool, self.handler = bootstrap_servers, pool, handler
        self.max_batch, self.max_attempts = max_batch, max_attempts
        # Partitions of a batch handled side by side (order kept within each): one slow key does not hold up others.
        self.parallel_partitions = parallel_partitions
        # 0 commits after every batch; more commits handled offsets at most that often (a broker round trip saved
        # per batch; the inbox makes the redelivery of handled-but-uncommitted messages after a crash harmless).
        self.commit_interval = commit_interval_ms / 1000
        # The broker answers a fetch as soon as `fetch_min_bytes` are there, so the wait mostly bounds an idle poll
        # (each costs the broker CPU). Not only: aiokafka sends no new fetch to a broker while one is in flight, and
        # a partition whose records were being handled when the last fetch left is not in it; its next message then
        # waits for that fetch to return, at worst the whole wait. Hence 100 ms here and not longer.
        self.fetch_max_wait_ms, self.fetch_min_bytes = fetch_max_wait_ms, fetch_min_bytes
        # True handles a fetch's messages in one transaction (one BEGIN, inbox insert and COMMIT for all; with
        # parallel partitions, a partition's); any failure rolls them all back and they are handled again one by
        # one, as when False.
        self.together = together
        # With `together`: called once per transaction with its new (not duplicate) messages in order, instead of
        # `handler` once per message, so a service can read and write for all of them in a few statements. The
        # one-by-one fallback still calls `handler`.
        self.batch_handler = batch_handler
        # Event types whose handler drops a redelivery by itself (a first statement that inserts under a unique key
        # and stops when nothing was inserted): they get no inbox row, one statement less per message. Their
        # redeliveries count as handled.
        self.self_deduplicating = frozenset(self_deduplicating)
        self._last_commit = 0.0
        self._consumer: AIOKafkaConsumer | None = None
        self._producer = None
        self._done: dict[TopicPartition, int] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Consume until cancelled; commits what was handled on the way out."""
        from aiokafka.admin import NewTopic

        await create_topics(self.bootstrap, [NewTopic(dead_letter_topic(t), 1, 1) for t in self.topics])
        self._producer = kafka.make_producer(self.bootstrap)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=self.group_id, enable_auto_commit=False,
            auto_offset_reset="earliest", max_poll_records=self.max_batch, fetch_max_wait_ms=self.fetch_max_wait_ms,
            fetch_min_bytes=self.fetch_min_bytes, session_timeout_ms=10_000, heartbeat_interval_ms=1_000,
        )
        self._consumer.subscribe(self.topics, listener=_Rebalance(self))
        try:
            # Started inside the try: a runner cancelled while starting still closes both clients.
            await self._producer.start()
            await self._consumer.start()
            while True:
                batches = await self._consumer.getmany(timeout_ms=200, max_records=self.max_batch)
                self.ready.set()
                if self.parallel_partitions and len(batches) > 1:
                    await asyncio.gather(*(self._handle_records(records) for records in batches.values()))
                else:  # partition after partition, each in its order (with `together`: the whole fetch at once)
                    await self._handle_records([record for records in batches.values() for record in records])
                if self.commit_interval:
                    await self._commit_if_due()
                else:
                    await self.commit(only=set(batches))
        finally:
            # Each shutdown step is bounded: a broker or group in trouble must not hang the process's exit.
            await bounded(self.commit(), 5, "final offset commit")
            await bounded(self._consumer.stop(), 15, "consumer stop")
            await bounded(self._producer.stop(), 15, "producer stop")

    async def _handle_records(self, records: list[ConsumerRecord]) -> None:
        """Handle records in order: together in one transaction when allowed and possible, else one by one."""
        together = self.together and len(records) > 1 and await self._handle_together(records)
        for record in records:
            if not together:
                await self._handle(record)
            self._done[TopicPartition(record.topic, record.partition)] = record.offset + 1

    async def _commit_if_due(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._done and now - self._last_commit >= self.commit_interval:
            self._last_commit = now
            await self.commit()

    async def commit(self, only: set[TopicPartition] | None = None) -> None:
        """Commit the offsets after the last handled message of each (given) partition."""
        offsets = {tp: off for tp, off in self._done.items() if only is None or tp in only}
        if not offsets or self._consumer is None:
            return
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # The partition moved to another member; the inbox makes its redelivery harmless.
            log.warning("offset commit failed", consumer=self.name, error=repr(exc))
        for tp in offsets:
            self._done.pop(tp, None)

    async def _handle(self, record: ConsumerRecord) -> None:
        with bound(topic=record.topic, partition=record.partition, offset=record.offset, consumer=self.name):
            try:
                envelope = kafka.decode(record.value)
            except (ValueError, ValidationError) as exc:
                await self._dead_letter(record, f"malformed envelope: {_short(exc)}")
                return
            with bound(event_id=envelope.id, event_type=envelope.type, correlation_id=envelope.correlationid):
                await self._handle_envelope(record, envelope)

    async def _handle_together(self, records: list[ConsumerRecord]) -> bool:
        """Handle the records in one transaction; False (nothing kept) if any of them fails, to go one by one."""
        try:
            envelopes = [kafka.decode(record.value) for record in records]
        except (ValueError, ValidationError):
            return False  # the one-by-one path dead-letters the malformed message
        ATTEMPT.set(1)
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                inboxed = [(e.id, r.topic, r.partition, r.offset) for e, r in zip(envelopes, records, strict=True)
                           if e.type not in self.self_deduplicating]
                claimed = await inbox.claim_many(conn, self.name, inboxed) if inboxed else set()
                fresh = []
                for record, envelope in zip(records, envelopes, strict=True):
                    if envelope.type in self.self_deduplicating or envelope.id in claimed:
                        claimed.discard(envelope.id)  # the same event twice in one batch still has one effect
                        fresh.append((record, envelope))
                if self.batch_handler is None:
                    for record, envelope in fresh:
                        with bound(topic=record.topic, partition=record.partition, offset=record.offset,
                                   consumer=self.name, event_id=envelope.id, event_type=envelope.type,
                                   correlation_id=envelope.correlationid):
                            await self.handler(conn, envelope)
                elif fresh:
                    with bound(consumer=self.name, messages=len(fresh)):
                        await self.batch_handler(conn, [envelope for _, envelope in fresh])
        except Exception as exc:  # noqa: BLE001 - rolled back; the one-by-one path retries or dead-letters each
            log.warning("batch failed; handling its messages one by one", consumer=self.name,
                        error=repr(exc)[:300], messages=len(records))
            return False
        HANDLED.labels(self.name, "ok").inc(len(fresh))
        if len(fresh) < len(records):
            HANDLED.labels(self.name, "duplicate").inc(len(records) - len(fresh))
        return True

    async def _handle_envelope(self, record: ConsumerRecord, envelope: Envelope) -> None:
        attempt = 0
        while True:
            attempt += 1
            ATTEMPT.set(attempt)
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    if envelope.type not in self.self_deduplicating and not await inbox.claim(
                            conn, self.name, envelope.id, record.topic, record.partition, record.offset):
                        HANDLED.labels(self.name, "duplicate").inc()
                        return
                    await self.handler(conn, envelope)
                HANDLED.labels(self.name, "ok").inc()
                return
            except (PoisonMessage, ValidationError) as exc:
                await self._dead_letter(record, f"{type(exc).__name__}: {_short(exc)}")
                return
            except _TRANSIENT as exc:
                # Infrastructure trouble never dead-letters: wait and try the same message again.
                log.warning("transient failure; retrying", error=repr(exc), attempt=attempt)
                await asyncio.sleep(backoff.delay(attempt, first=0.4, cap=5.0))
            except Exception as exc:  # noqa: BLE001 - a handler bug must not stall the partition forever
                if attempt >= self.max_attempts:
                    log.exception("handler failed; dead-lettering", attempt=attempt)
                    await self._dead_letter(record, f"handler error after {attempt} attempts: {exc!r}"[:500])
                    return
                await asyncio.sleep(0.1 * attempt)

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        headers = list(record.headers or []) + [
            ("dlq.reason", reason.encode()),
            ("dlq.topic", record.topic.encode()),
            ("dlq.partition", str(record.partition).encode()),
            ("dlq.offset", str(record.offset).encode()),
            ("dlq.consumer", self.name.encode()),
        ]
        await self._producer.send_and_wait(dead_letter_topic(record.topic), record.value, key=record.key, headers=headers)
        HANDLED.labels(self.name, "dead_letter").inc()
        log.error("message dead-lettered", reason=reason)


async def bounded(awaitable, seconds: float, what: str) -> None:
    """Await a shutdown step for at most `seconds`; a failure or time-out is logged, not raised."""
    try:
        await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        log.warning("shutdown step timed out", step=what, seconds=seconds)
    except Exception as exc:  # noqa: BLE001 - shutdown goes on whatever one step does
        log.warning("shutdown step failed", step=what, error=repr(exc))


def _short(exc: Exception) -> str:
    return str(exc).replace("\n", " ")[:300]
