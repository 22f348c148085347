"""SQL of request timelines and of dispatch events about unknown requests."""

from typing import Any
from uuid import UUID

import asyncpg

# Reserves the id of a timeline entry before it is written, so that what carries the id (the SSE event id, the
# change in webhook bodies) is built before the one statement that writes the entry with it.
NEXT_ID = "nextval('request_timeline_id_seq')"


async def entries(conn: asyncpg.Connection, request_id: UUID) -> list[asyncpg.Record]:
    """A request's timeline in the order it was recorded."""
    return await conn.fetch(
        """SELECT event_id, event_type, seq, occurred_at, recorded_at, from_status, to_status, verdict, reason, detail
           FROM request_timeline WHERE request_id = $1 ORDER BY id""",
        request_id,
    )


async def record_orphan(conn: asyncpg.Connection, *, event_id: str, request_id: str, agency_id: str | None,
                        event_type: str, reason: str, envelope: dict[str, Any]) -> None:
    """Keep a dispatch event that could not be applied to a known request."""
    await conn.execute(
        """INSERT INTO orphan_dispatch_events (event_id, request_id, agency_id, event_type, reason, envelope)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING""",
        event_id, request_id, agency_id, event_type, reason, envelope,
    )
