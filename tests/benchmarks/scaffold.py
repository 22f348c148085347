"""Fresh, throw-away schemas for the benchmark scripts (topics: `taas_kit.kafka` ensure/delete with a prefix)."""

import uuid
from pathlib import Path

import asyncpg

from taas_kit import migrations


async def migrated_schema(dsn: str, service: str, migrations_dir: Path) -> str:
    """A new schema `bench_<service>_<random>` with the kit's and the service's migrations applied."""
    schema = f"bench_{service}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    try:
        await migrations.apply(conn, schema, migrations.discover(service, migrations_dir), say=lambda *_: None)
    finally:
        await conn.close()
    return schema


async def drop_schema(dsn: str, schema: str) -> None:
    """Drop a benchmark's schema and everything in it."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()
