"""The dispatch log table: every decision with its reasons, read by ops with filters and a cursor."""

from datetime import datetime

import asyncpg


async def page(conn: asyncpg.Connection, *, request_id: str | None, provider_id: str | None, agency_id: str | None,
               since: datetime | None, until: datetime | None, before_id: int | None,
               limit: int) -> list[asyncpg.Record]:
    """Newest first, every filter optional; `before_id` is the cursor."""
    return await conn.fetch(
        """SELECT * FROM dispatch_log
           WHERE ($1::text IS NULL OR request_id = $1) AND ($2::text IS NULL OR provider_id = $2)
             AND ($3::text IS NULL OR agency_id = $3) AND ($4::timestamptz IS NULL OR at >= $4)
             AND ($5::timestamptz IS NULL OR at < $5) AND ($6::bigint IS NULL OR id < $6)
           ORDER BY id DESC LIMIT $7""",
        request_id, provider_id, agency_id, since, until, before_id, limit,
    )


async def after(conn: asyncpg.Connection, after_id: int, limit: int) -> list[asyncpg.Record]:
    """Records newer than `after_id`, oldest first (the live stream)."""
    return await conn.fetch("SELECT * FROM dispatch_log WHERE id > $1 ORDER BY id LIMIT $2", after_id, limit)


async def last_id(conn: asyncpg.Connection) -> int:
    """The newest record's id (0 when empty)."""
    return await conn.fetchval("SELECT coalesce(max(id), 0) FROM dispatch_log")
