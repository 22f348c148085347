"""`taas migrate`: apply each service's versioned SQL migrations to its own schema."""

import asyncio
import re

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


_EXTENSION = re.compile(r"CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


async def create_extensions(spec: ServiceSpec, admin_dsn: str, say=print) -> None:
    """Create, as the superuser, every extension a service's migrations create (its own role may not)."""
    names = sorted({n for m in migrations.discover(spec.name, spec.migrations_dir()) for n in _EXTENSION.findall(m.sql)})
    if not names:
        return
    conn = await asyncpg.connect(admin_dsn)
    try:
        for name in names:
            if not await conn.fetchval("SELECT 1 FROM pg_extension WHERE extname = $1", name):
                await conn.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}" WITH SCHEMA public')
                say(f"  extension {name} created for {spec.name}")
    finally:
        await conn.close()


def migrate_all(infra: Infra, say=print) -> None:
    """Migrate every existing service (extensions first, as the superuser)."""
    total = 0
    for spec in existing():
        asyncio.run(create_extensions(spec, infra.admin_dsn, say))
        total += asyncio.run(migrate_service(spec, infra.service_dsn(spec.name), say=say))
    say(f"  migrations {total} applied" if total else "  migrations up to date")
