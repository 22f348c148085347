"""Transactional outbox: events written in the business transaction and relayed to Kafka in id order."""

import asyncio
import contextlib

import asyncpg
from aiokafka.errors import KafkaError
from prometheus_client import Counter

from taas_contracts.envelope import Envelope
from taas_kit import db, kafka
from taas_kit.backoff import Backoff
from taas_kit.logging import get_logger

log = get_logger("taas.outbox")

PUBLISHED = Counter("taas_outbox_published_total", "Outbox events published to Kafka", ["service"])
FAILURES = Counter("taas_outbox_publish_failures_total", "Failed outbox publish attempts", ["service"])


def channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel of a schema's outbox."""
    return f"taas_outbox_{schema}"


def _row(topic: str, key: str, e: Envelope | dict) -> tuple:
    if isinstance(e, Envelope):
        return (e.id, topic, key, e.type, e.model_dump(mode="json", exclude_none=True))
    return (e["id"], topic, key, e["type"], e)  # an envelope already in its JSON form (hot paths skip pydantic)


def insert_sql(first: int, when: str = "true") -> str:
    """The outbox INSERT over parameters $first.. $first+4 (see `arguments`), to be a CTE of a larger statement.

    A use case that writes its own rows in one statement can add its events in the same round trip:
    `WITH mine AS (...), added AS ({insert_sql(n)}) SELECT pg_notify($m, '')` with `arguments(...)` at $n and
    `channel(schema)` at $m; the NOTIFY must be in the statement, as `add` does. `when` is an SQL condition
    (e.g. `EXISTS (SELECT FROM mine)`) under which the events are added at all.
    """
    e, t, k, ty, env = (f"${first + i}" for i in range(5))
    return f"""INSERT INTO outbox (event_id, topic, key, type, envelope)
    SELECT e, t, k, ty, env
    FROM unnest({e}::uuid[], {t}::text[], {k}::text[], {ty}::text[], {env}::json[])
         WITH ORDINALITY AS r(e, t, k, ty, env, n)
    WHERE {when}
    ORDER BY n"""


def arguments(events: list[tuple[str, str, Envelope | dict]]) -> list[list]:
    """The five array arguments of `insert_sql` for (topic, key, envelope) events; ids follow the given order."""
    rows = [_row(topic, key, e) for topic, key, e in events]
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[], [], [], [], []]


async def add(conn: asyncpg.Connection, schema: str, events: list[tuple[str, str, Envelope | dict]]) -> None:
    """Write (topic, key, envelope) rows in the caller's transaction; NOTIFY wakes the relay at commit."""
    if not events:
        return
    # One round trip: the rows as arrays (ids follow the given order) and the NOTIFY in the same statement.
    await conn.execute(_ADD, *arguments(events), channel(schema))


_ADD = f"""WITH added AS ({insert_sql(1)})
SELECT pg_notify($6, '')"""


# Rows are deleted once published, by the statement that reads the next ones: one round trip per batch instead of
# two. After a short batch (the outbox was drained) that statement waits for the next wake-up or poll, so published
# rows stay until then, at most `poll_seconds`. Its SELECT sees the rows as they were before its DELETE, hence the
# explicit exclusion. A relay that dies between publishing and that statement leaves its last batch to be
# published again (consumers dedupe); one that stops cleanly deletes it.
_NEXT = """WITH published AS (DELETE FROM outbox WHERE id = ANY($2::bigint[]))
SELECT id, event_id, type, topic, key, envelope::text AS envelope FROM outbox
WHERE NOT (id = ANY($2::bigint[])) ORDER BY id LIMIT $1"""


class OutboxRelay:
    """Publishes outbox rows with an idempotent producer; one active relay per schema (advisory lock)."""

    def __init__(self, *, dsn: str, schema: str, bootstrap_servers: str, service: str,
                 batch_size: int = 500, poll_seconds: float = 1.0, send_timeout: float = 15.0) -> None:
        self.dsn, self.schema, self.bootstrap, self.service = dsn, schema, bootstrap_servers, service
        self.batch_size, self.poll_seconds, self.send_timeout = batch_size, poll_seconds, send_timeout
        self._wake = asyncio.Event()
        self._producer = None
        self._conn: asyncpg.Connection | None = None
        self._published: list[int] = []  # ids sent to Kafka and not yet deleted

    async def run(self) -> None:
        """Relay until cancelled, reconnecting to PostgreSQL and replacing the producer after failures."""
        backoff = Backoff(first=0.5, cap=5.0)
        while True:
            try:
                await self._connect()
                await self._become_leader()
                while True:
                    drained = await self._drain_once()
                    if backoff.failures:  # the database answers again: the next loss starts a new streak
                        log.info("outbox relay reconnected", schema=self.schema, attempts=backoff.succeeded())
                    if drained < self.batch_size:  # nothing more when read; a commit since then has set the wake
                        with contextlib.suppress(asyncio.TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except asyncio.CancelledError:
                await self._close()
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                if backoff.failures == 0:  # once per outage, not once per attempt
                    log.warning("outbox relay lost the database; reconnecting", error=str(exc), schema=self.schema)
                await self._close()
                await backoff.failed()

    async def _connect(self) -> None:
        self._conn = await asyncpg.connect(self.dsn, server_settings={"search_path": self.schema})
        await db.init_connection(self._conn)
        await self._conn.add_listener(channel(self.schema), lambda *_: self._wake.set())

    async def _become_leader(self) -> None:
        while not await self._conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"outbox:{self.schema}"):
            await asyncio.sleep(self.poll_seconds)

    async def _drain_once(self) -> int:
        self._wake.clear()  # before the read: a NOTIFY from a commit the read may miss wakes the next one
        rows = await self._conn.fetch(_NEXT, self.batch_size, self._published)
        self._published = []  # deleted by that statement
        if not rows:
            return 0
        try:
            await asyncio.wait_for(self._publish(rows), self.send_timeout)
        except (KafkaError, asyncio.TimeoutError, OSError) as exc:
            FAILURES.labels(self.service).inc()
            log.warning("outbox publish failed; replacing the producer", error=repr(exc), pending=len(rows))
            await self._drop_producer()
            await asyncio.sleep(0.5)
            return 0
        self._published = [r["id"] for r in rows]
        PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _publish(self, rows: list) -> None:
        producer = await self._get_producer()
        futures = []
        for row in rows:
            futures.append(await producer.send(
                row["topic"],
                row["envelope"].encode(),  # the text as stored: no decode and re-encode per event
                key=row["key"].encode(),
                headers=kafka.headers_for(row["type"], str(row["event_id"])),
            ))
        await asyncio.gather(*futures)

    async def _get_producer(self):
        if self._producer is None:
            producer = kafka.make_producer(self.bootstrap)
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 10)

    async def _close(self) -> None:
        await self._drop_producer()
        conn, self._conn = self._conn, None
        published, self._published = self._published, []
        if conn is not None and published:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", published), 5)
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close(timeout=5)
