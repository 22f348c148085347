"""Fixtures shared by every test level: the real Kafka and PostgreSQL, unique schemas and topics per test."""

import os
import shutil
import uuid

import asyncpg
import pytest
from aiokafka.admin import NewTopic

from taas_kit import db, migrations
from taas_kit.kafka import create_topics


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001 - no engine reachable
        return False


_NO_INFRA = ("no Kafka/PostgreSQL: run the tests with `./taas test` (it starts them), set KAFKA_BOOTSTRAP_SERVERS "
             "and DATABASE_URL, or have a Docker engine for testcontainers")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap servers of a real broker: KAFKA_BOOTSTRAP_SERVERS, or a testcontainers Kafka with Docker."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    if not _docker_available():
        pytest.fail(_NO_INFRA)
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer("apache/kafka:4.0.0").with_kraft() as container:
        yield container.get_bootstrap_server()


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """DSN of a real PostgreSQL: DATABASE_URL, or a testcontainers PostgreSQL with Docker."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    if not _docker_available():
        pytest.fail(_NO_INFRA)
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16", driver=None) as container:
        yield container.get_connection_url()


def unique(prefix: str) -> str:
    """A name no other test uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def schema(pg_dsn: str):
    """A fresh schema with the kit's tables (outbox, inbox), dropped afterwards."""
    name = unique("t")
    conn = await asyncpg.connect(pg_dsn)
    try:
        await migrations.apply(conn, name, migrations.discover("kit_only", migrations.KIT_MIGRATIONS.parent / "_none"),
                               say=lambda *_: None)
    finally:
        await conn.close()
    yield name
    conn = await asyncpg.connect(pg_dsn)
    try:
        await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture
async def pool(pg_dsn: str, schema: str):
    """A pool on the test's schema."""
    p = await db.create_pool(pg_dsn, schema, min_size=1, max_size=10)
    yield p
    await p.close()


@pytest.fixture
async def make_topic(kafka_bootstrap: str):
    """Create a unique topic with n partitions; returns its name. Deleted (with its dead-letter topic) afterwards."""
    from taas_kit.kafka import delete_topics_with_prefix

    made: list[str] = []

    async def make(prefix: str = "test", partitions: int = 3, compacted: bool = False) -> str:
        name = unique(prefix)
        configs = {"cleanup.policy": "compact"} if compacted else {}
        await create_topics(kafka_bootstrap, [NewTopic(name, partitions, 1, topic_configs=configs)])
        made.append(name)
        return name

    yield make
    for name in made:
        await delete_topics_with_prefix(kafka_bootstrap, name)


@pytest.fixture
def read_topic(kafka_bootstrap: str):
    """Read a topic from its beginning until `n` records arrived (then `settle` seconds more, to catch extras)."""
    import asyncio

    from aiokafka import AIOKafkaConsumer

    async def read(topic: str, n: int, timeout: float = 30.0, settle: float = 0.0) -> list:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=None,
                                    auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=100)
        await consumer.start()
        records: list = []
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while len(records) < n and loop.time() < deadline:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
            end = loop.time() + settle
            while loop.time() < end:
                for batch in (await consumer.getmany(timeout_ms=100)).values():
                    records.extend(batch)
        finally:
            await consumer.stop()
        return records
    return read


@pytest.fixture(scope="module")
async def topic_prefix(kafka_bootstrap: str):
    """A unique prefix with every registry topic (and dead-letter topic) created under it, per test module."""
    from taas_kit.kafka import delete_topics_with_prefix, ensure_topics

    prefix = unique("t") + "."
    await ensure_topics(kafka_bootstrap, prefix=prefix)
    yield prefix
    await delete_topics_with_prefix(kafka_bootstrap, prefix)


@pytest.fixture
async def migrated_schema(pg_dsn: str):
    """Factory: a fresh schema migrated with a service's migrations (dropped at teardown)."""
    created: list[str] = []

    async def make(service: str, migrations_dir) -> str:
        name = unique(f"t_{service}")
        conn = await asyncpg.connect(pg_dsn)
        try:
            await migrations.apply(conn, name, migrations.discover(service, migrations_dir), say=lambda *_: None)
        finally:
            await conn.close()
        created.append(name)
        return name

    yield make
    conn = await asyncpg.connect(pg_dsn)
    try:
        for name in created:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()
