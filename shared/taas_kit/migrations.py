"""Versioned plain-SQL migrations per service: applied by a command, checked at start-up."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

KIT_MIGRATIONS = Path(__file__).parent / "migrations"
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One SQL file: source (kit or service), version, name, text."""

    source: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """sha256 of the SQL text, to detect an edited applied migration."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    """The database is not at the version the code expects."""


def discover(service: str, service_dir: Path) -> list[Migration]:
    """The kit's migrations then the service's, each sorted by version."""
    found: list[Migration] = []
    for source, folder in (("kit", KIT_MIGRATIONS), (service, service_dir)):
        for path in sorted(folder.glob("*.sql")) if folder.exists() else []:
            match = _FILE.match(path.name)
            if not match:
                raise MigrationError(f"bad migration file name {path.name}: expected NNNN_name.sql")
            found.append(Migration(source, int(match[1]), match[2], path.read_text()))
    return found


_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    source text NOT NULL,
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, version)
)"""


async def _applied(conn: asyncpg.Connection) -> dict[tuple[str, int], str]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT source, version, checksum FROM schema_migrations")
    return {(r["source"], r["version"]): r["checksum"] for r in rows}


async def pending(conn: asyncpg.Connection, migrations: list[Migration]) -> list[Migration]:
    """Migrations not applied yet; raises if an applied one was edited."""
    applied = await _applied(conn)
    todo = []
    for m in migrations:
        checksum = applied.get((m.source, m.version))
        if checksum is None:
            todo.append(m)
        elif checksum != m.checksum:
            raise MigrationError(f"migration {m.source}/{m.version:04d}_{m.name} was edited after it was applied")
    return todo


async def apply(conn: asyncpg.Connection, schema: str, migrations: list[Migration], say=print) -> int:
    """Apply pending migrations in one transaction each, under an advisory lock; returns how many ran."""
    if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    await conn.execute(f'SET search_path TO "{schema}", public')
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"migrate:{schema}")
    try:
        await conn.execute(_TABLE)
        todo = await pending(conn, migrations)
        for m in todo:
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (source, version, name, checksum) VALUES ($1, $2, $3, $4)",
                    m.source, m.version, m.name, m.checksum,
                )
            say(f"  {schema}: applied {m.source}/{m.version:04d}_{m.name}")
        return len(todo)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"migrate:{schema}")


async def check(pool: asyncpg.Pool, migrations: list[Migration]) -> None:
    """Refuse to start when migrations are pending: the command `taas migrate` applies them."""
    async with pool.acquire() as conn:
        todo = await pending(conn, migrations)
    if todo:
        names = ", ".join(f"{m.source}/{m.version:04d}_{m.name}" for m in todo)
        raise MigrationError(f"database is behind the code ({names} pending): run `taas migrate`")
