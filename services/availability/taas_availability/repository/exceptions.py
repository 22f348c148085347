"""SQL of dated schedule exceptions."""

import uuid
from datetime import datetime

import asyncpg

_COLUMNS = "id, provider_id, kind, start_at, end_at, note, created_at"


async def insert(conn: asyncpg.Connection, exception_id: uuid.UUID, provider_id: str, kind: str, start_at: datetime,
                 end_at: datetime, note: str) -> asyncpg.Record:
    """Store an exception."""
    return await conn.fetchrow(
        f"""INSERT INTO provider_exceptions (id, provider_id, kind, start_at, end_at, note)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}""",
        exception_id, provider_id, kind, start_at, end_at, note,
    )


async def delete(conn: asyncpg.Connection, provider_id: str, exception_id: uuid.UUID) -> bool:
    """Remove one of a provider's exceptions; False if it has no such exception."""
    done = await conn.fetchval(
        "DELETE FROM provider_exceptions WHERE id = $1 AND provider_id = $2 RETURNING 1", exception_id, provider_id
    )
    return done is not None


async def open_for(conn: asyncpg.Connection, provider_id: str, now: datetime) -> list[asyncpg.Record]:
    """A provider's exceptions not over at `now`, by start."""
    return await conn.fetch(
        f"SELECT {_COLUMNS} FROM provider_exceptions WHERE provider_id = $1 AND end_at > $2 ORDER BY start_at, id",
        provider_id, now,
    )


async def open_for_many(conn: asyncpg.Connection, provider_ids: list[str], now: datetime) -> list[asyncpg.Record]:
    """The open exceptions of several providers, by provider and start."""
    return await conn.fetch(
        f"""SELECT {_COLUMNS} FROM provider_exceptions WHERE provider_id = ANY($1::text[]) AND end_at > $2
            ORDER BY provider_id, start_at, id""",
        provider_ids, now,
    )


async def count_open(conn: asyncpg.Connection, provider_id: str, now: datetime) -> int:
    """How many exceptions of a provider are not over."""
    return await conn.fetchval(
        "SELECT count(*) FROM provider_exceptions WHERE provider_id = $1 AND end_at > $2", provider_id, now
    )
