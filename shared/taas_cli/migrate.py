"""`taas migrate`: apply each service's versioned SQL migrations to its own schema."""

import asyncio

import asyncpg

from taas_cli.infra import Infra
from taas_cli.services import ServiceSpec, existing
from taas_kit import migrations


async def migrate_service(spec: ServiceSpec, dsn: str, schema: str | None = None, say=print) -> int:
    """Apply the pending migrations of one service; returns how many ran."""
    conn = await asyncpg.connect(dsn)
    try:
        found = migrations.discover(spec.name, spec.migrations_dir())
        return await migrations.apply(conn, schema or spec.schema, found, say)
    finally:
        await conn.close()


def migrate_all(infra: Infra, say=print) -> None:
    """Migrate every existing service."""
    total = 0
    for spec in existing():
        total += asyncio.run(migrate_service(spec, infra.service_dsn(spec.name), say=say))
    say(f"  migrations {total} applied" if total else "  migrations up to date")
