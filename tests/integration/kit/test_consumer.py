"""The consumer runner against the real broker and database: inbox, offsets, dead letters."""

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from taas_contracts.envelope import Envelope
from taas_contracts.topics import dead_letter_topic
from taas_kit.consumer import ATTEMPT, ConsumerRunner, PoisonMessage
from taas_kit.kafka import encode
from taas_kit.testing import running as run_task

pytestmark = pytest.mark.integration


async def _setup(pool) -> None:
    await pool.execute("CREATE TABLE effects (event_id text, n int)")


async def _record_effect(conn, envelope: Envelope) -> None:
    if envelope.data.get("poison"):
        raise PoisonMessage("payload flagged as poison")
    await conn.execute("INSERT INTO effects VALUES ($1, $2)", envelope.id, envelope.data["n"])


async def _produce(bootstrap: str, topic: str, values: list[bytes], key: bytes = b"k") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


def _event(n: int, **extra) -> Envelope:
    return Envelope(type="taas.test.happened.v1", source="/tests", data={"n": n, **extra})


async def _wait_for(pool, count: int, timeout: float = 30.0) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        seen = await pool.fetchval("SELECT count(*) FROM effects")
        if seen >= count:
            return seen
        await asyncio.sleep(0.1)
    return await pool.fetchval("SELECT count(*) FROM effects")


def running(runner: ConsumerRunner):
    return run_task(runner.run())


def _runner(cls, pool, topic, bootstrap, group, name="effects"):
    return cls(name=name, topics=[topic], group_id=group, bootstrap_servers=bootstrap, pool=pool,
               handler=_record_effect)


async def test_same_event_delivered_twice_has_one_effect(pool, kafka_bootstrap, make_topic):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    event = _event(1)
    await _produce(kafka_bootstrap, topic, [encode(event), encode(event), encode(_event(2))])
    async with running(_runner(ConsumerRunner, pool, topic, kafka_bootstrap, f"g-{topic}")):
        assert await _wait_for(pool, 2) == 2
        await asyncio.sleep(0.5)
    rows = await pool.fetch("SELECT event_id, n FROM effects ORDER BY n")
    assert [r["n"] for r in rows] == [1, 2]


class _KilledBeforeOffsetCommit(ConsumerRunner):
    """A consumer that dies after its database commits but before any offset commit."""

    async def commit(self, only=None) -> None:
        return None


async def test_consumer_killed_after_db_commit_before_offset_commit_does_nothing_twice(pool, kafka_bootstrap, make_topic):
    await _setup(pool)
    topic = await make_topic(partitions=2)
    await _produce(kafka_bootstrap, topic, [encode(_event(n)) for n in range(50)])
    group = f"g-{topic}"
    async with running(_runner(_KilledBeforeOffsetCommit, pool, topic, kafka_bootstrap, group)):
        assert await _wait_for(pool, 50) == 50
    # The restarted member is handed every message again (no offsets were committed) ...
    restarted = _runner(ConsumerRunner, pool, topic, kafka_bootstrap, group)
    async with running(restarted):
        await asyncio.sleep(3)
        await _produce(kafka_bootstrap, topic, [encode(_event(50))])
        assert await _wait_for(pool, 51) == 51
        await asyncio.sleep(0.5)
    # ... and the inbox turns every redelivery into a no-op.
    assert await pool.fetchval("SELECT count(*) FROM effects") == 51
    assert await pool.fetchval("SELECT count(DISTINCT event_id) FROM effects") == 51
    assert await pool.fetchval("SELECT count(*) FROM processed_messages WHERE consumer = 'effects'") == 51


async def test_malformed_and_poison_messages_go_to_dead_letter_and_the_next_is_processed(
        pool, kafka_bootstrap, make_topic, read_topic):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    await _produce(kafka_bootstrap, topic, [b"{not json", encode(_event(1, poison=True)), encode(_event(2))])
    async with running(_runner(ConsumerRunner, pool, topic, kafka_bootstrap, f"g-{topic}")):
        assert await _wait_for(pool, 1) == 1
    assert await pool.fetchval("SELECT n FROM effects") == 2
    dead = await read_topic(dead_letter_topic(topic), 2)
    reasons = [dict(r.headers)["dlq.reason"].decode() for r in dead]
    assert reasons[0].startswith("malformed envelope")
    assert "poison" in reasons[1]
    assert dead[0].value == b"{not json"
    assert dict(dead[0].headers)["dlq.topic"].decode() == topic


async def test_committed_offsets_mean_a_restart_resumes_after_the_last_handled(pool, kafka_bootstrap, make_topic):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    group = f"g-{topic}"
    await _produce(kafka_bootstrap, topic, [encode(_event(n)) for n in range(10)])
    async with running(_runner(ConsumerRunner, pool, topic, kafka_bootstrap, group)):
        assert await _wait_for(pool, 10) == 10
    second = _runner(_Counting, pool, topic, kafka_bootstrap, group)
    async with running(second):
        await _produce(kafka_bootstrap, topic, [encode(_event(10))])
        assert await _wait_for(pool, 11) == 11
    # The restarted member saw only the new message: nothing before the committed offset came back.
    assert second.seen == [10]


class _Counting(ConsumerRunner):
    """Records the offsets it is handed."""

    seen: list[int]

    async def _handle(self, record) -> None:
        self.__dict__.setdefault("seen", []).append(record.offset)
        await super()._handle(record)


def _together(pool, topic, bootstrap, group, handler=_record_effect, batch_handler=None):
    return ConsumerRunner(name="effects", topics=[topic], group_id=group, bootstrap_servers=bootstrap, pool=pool,
                          handler=handler, together=True, batch_handler=batch_handler)


async def test_together_one_transaction_per_batch_and_duplicates_have_one_effect(pool, kafka_bootstrap, make_topic):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    events = [_event(n) for n in range(1, 41)]
    await _produce(kafka_bootstrap, topic, [encode(e) for e in events] + [encode(events[0]), encode(events[5])])
    transactions: list[int] = []

    async def counting(conn, envelope):
        transactions.append(await conn.fetchval("SELECT txid_current()"))
        await _record_effect(conn, envelope)

    async with running(_together(pool, topic, kafka_bootstrap, f"g-{topic}", counting)):
        assert await _wait_for(pool, 40) == 40
        await asyncio.sleep(0.5)
    rows = await pool.fetch("SELECT n FROM effects ORDER BY n")
    assert [r["n"] for r in rows] == list(range(1, 41))
    assert len(set(transactions)) < len(transactions)  # several messages shared a transaction
    claimed = await pool.fetchval("SELECT count(*) FROM processed_messages WHERE consumer = 'effects'")
    assert claimed == 40


async def test_together_a_failing_message_rolls_back_its_batch_then_each_is_handled_alone(
        pool, kafka_bootstrap, make_topic, read_topic):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    values = [encode(_event(n)) for n in range(1, 11)]
    values[4] = encode(_event(5, poison=True))
    values.insert(7, b"not json at all")
    await _produce(kafka_bootstrap, topic, values)
    async with running(_together(pool, topic, kafka_bootstrap, f"g-{topic}")):
        assert await _wait_for(pool, 9) == 9
        await asyncio.sleep(0.5)
    rows = await pool.fetch("SELECT n FROM effects ORDER BY n")
    assert [r["n"] for r in rows] == [1, 2, 3, 4, 6, 7, 8, 9, 10]  # each once, the poison one never
    dead = await read_topic(dead_letter_topic(topic), 2)
    reasons = sorted(dict(r.headers)["dlq.reason"].decode().split(":")[0] for r in dead)
    assert reasons == ["PoisonMessage", "malformed envelope"]


class _Handlers:
    """A per-message and a batch handler that record what they were handed and write the effects."""

    def __init__(self) -> None:
        self.alone: list[int] = []
        self.batches: list[list[int]] = []

    async def one(self, conn, envelope: Envelope) -> None:
        self.alone.append(envelope.data["n"])
        await _record_effect(conn, envelope)

    async def many(self, conn, envelopes: list[Envelope]) -> None:
        self.batches.append([e.data["n"] for e in envelopes])
        await conn.executemany("INSERT INTO effects VALUES ($1, $2)", [(e.id, e.data["n"]) for e in envelopes])
        if any(e.data.get("poison") for e in envelopes):
            raise PoisonMessage("payload flagged as poison")


async def test_together_a_batch_handler_is_handed_each_new_message_once_in_order(pool, kafka_bootstrap, make_topic):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    events = [_event(n) for n in range(1, 41)]
    await _produce(kafka_bootstrap, topic, [encode(e) for e in events] + [encode(events[0]), encode(events[5])])
    handlers = _Handlers()
    async with running(_together(pool, topic, kafka_bootstrap, f"g-{topic}", handlers.one, handlers.many)):
        assert await _wait_for(pool, 40) == 40
        await asyncio.sleep(0.5)
    rows = await pool.fetch("SELECT n FROM effects ORDER BY n")
    assert [r["n"] for r in rows] == list(range(1, 41))
    in_batches = [n for batch in handlers.batches for n in batch]
    assert in_batches == sorted(in_batches) and any(len(batch) > 1 for batch in handlers.batches)
    # A fetch of one message goes to the per-message handler; no message reaches either handler twice.
    assert sorted(in_batches + handlers.alone) == list(range(1, 41))


async def test_together_a_failing_batch_handler_rolls_back_then_each_message_goes_to_the_handler(
        pool, kafka_bootstrap, make_topic, read_topic):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    values = [encode(_event(n, poison=n == 5)) for n in range(1, 11)]
    await _produce(kafka_bootstrap, topic, values)
    handlers = _Handlers()
    async with running(_together(pool, topic, kafka_bootstrap, f"g-{topic}", handlers.one, handlers.many)):
        assert await _wait_for(pool, 9) == 9
        await asyncio.sleep(0.5)
    failed = next(batch for batch in handlers.batches if 5 in batch)  # it wrote its effects, then raised
    assert len(failed) > 1 and set(failed) <= set(handlers.alone)  # then each of its messages went alone
    rows = await pool.fetch("SELECT n FROM effects ORDER BY n")
    assert [r["n"] for r in rows] == [1, 2, 3, 4, 6, 7, 8, 9, 10]  # the failed batch's writes were rolled back
    dead = await read_topic(dead_letter_topic(topic), 1)
    assert [dict(r.headers)["dlq.reason"].decode().split(":")[0] for r in dead] == ["PoisonMessage"]


async def _record_once(conn, envelope: Envelope) -> None:
    """A handler that drops a redelivery by itself: the effect's key is the event id."""
    await conn.execute("INSERT INTO effects_once VALUES ($1, $2) ON CONFLICT DO NOTHING", envelope.id,
                       envelope.data["n"])


@pytest.mark.parametrize("together", [False, True])
async def test_self_deduplicating_types_get_no_inbox_row_and_still_one_effect(pool, kafka_bootstrap, make_topic,
                                                                             together):
    await _setup(pool)
    await pool.execute("CREATE TABLE effects_once (event_id text PRIMARY KEY, n int)")
    topic = await make_topic(partitions=1)
    once, other = Envelope(type="taas.test.once.v1", source="/tests", data={"n": 1}), _event(2)
    await _produce(kafka_bootstrap, topic, [encode(once), encode(other), encode(once), encode(other)])

    async def handle(conn, envelope: Envelope) -> None:
        await (_record_once if envelope.type == once.type else _record_effect)(conn, envelope)

    runner = ConsumerRunner(name="effects", topics=[topic], group_id=f"g-{topic}", bootstrap_servers=kafka_bootstrap,
                            pool=pool, handler=handle, together=together, self_deduplicating={once.type})
    async with running(runner):
        assert await _wait_for(pool, 1) == 1
        await asyncio.sleep(1.0)
    assert await pool.fetchval("SELECT count(*) FROM effects") == 1  # the inbox dropped the other's redelivery
    assert await pool.fetchval("SELECT count(*) FROM effects_once") == 1  # the handler dropped its own
    assert [r["event_id"] for r in await pool.fetch("SELECT event_id FROM processed_messages")] == [other.id]


@pytest.mark.parametrize("together", [False, True])
async def test_a_handler_knows_which_attempt_at_its_message_it_is(pool, kafka_bootstrap, make_topic, together):
    await _setup(pool)
    topic = await make_topic(partitions=1)
    first, second = _event(1), _event(2)
    await _produce(kafka_bootstrap, topic, [encode(first), encode(second)])
    seen: list[tuple[int, int]] = []

    async def fails_once(conn, envelope: Envelope) -> None:
        seen.append((envelope.data["n"], ATTEMPT.get()))
        if envelope.data["n"] == 1 and ATTEMPT.get() == 1:
            raise RuntimeError("first attempt fails")
        await _record_effect(conn, envelope)

    runner = ConsumerRunner(name="effects", topics=[topic], group_id=f"g-{topic}", bootstrap_servers=kafka_bootstrap,
                            pool=pool, handler=fails_once, together=together)
    async with running(runner):
        assert await _wait_for(pool, 2) == 2
    # The first message's retry is attempt 2, and the next message starts at 1 again. Together, the batch is a try
    # of its own (attempt 1 for both), then each message is handled alone from attempt 1.
    alone = [(1, 1), (1, 2), (2, 1)]
    assert seen == ([(1, 1)] + alone if together else alone), seen
