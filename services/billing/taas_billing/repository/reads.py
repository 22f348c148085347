"""Read queries behind the API: usage pages and statement lines."""

import asyncpg

_USAGE = """SELECT * FROM usage_segments
            WHERE ($1::text IS NULL OR agency_id = $1)
              AND ($2::text IS NULL OR provider_id = $2)
              AND ($3::text IS NULL OR month = $3)
              AND seq > $4
            ORDER BY seq LIMIT $5"""


async def usage_page(conn: asyncpg.Connection, *, agency_id: str | None, provider_id: str | None,
                     month: str | None, after_seq: int, limit: int) -> list[asyncpg.Record]:
    """Up to `limit` usage segments after a cursor position, in recording order."""
    return await conn.fetch(_USAGE, agency_id, provider_id, month, after_seq, limit)


async def agency_known(conn: asyncpg.Connection, agency_id: str) -> bool:
    """True if billing has a snapshot of the agency or any usage that names it."""
    return await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM agencies WHERE agency_id = $1)
               OR EXISTS (SELECT 1 FROM usage_segments WHERE agency_id = $1)
               OR EXISTS (SELECT 1 FROM usage_segments WHERE lending_jurisdiction_id = $1)""",
        agency_id,
    )


async def charges(conn: asyncpg.Connection, agency_id: str, month: str) -> list[asyncpg.Record]:
    """The segments an agency was charged for in a month, in time order."""
    return await conn.fetch(
        """SELECT * FROM usage_segments WHERE agency_id = $1 AND month = $2
           ORDER BY segment_start, assignment_id, segment_index""",
        agency_id, month,
    )


async def credits(conn: asyncpg.Connection, jurisdiction_id: str, month: str) -> list[asyncpg.Record]:
    """The segments worked by staff a jurisdiction lent out, in a month, in time order."""
    return await conn.fetch(
        """SELECT * FROM usage_segments WHERE lending_jurisdiction_id = $1 AND month = $2
           ORDER BY segment_start, assignment_id, segment_index""",
        jurisdiction_id, month,
    )
