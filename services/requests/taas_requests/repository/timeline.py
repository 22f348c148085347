"""SQL of request timelines and of dispatch events about unknown requests."""

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg


async def append(conn: asyncpg.Connection, request_id: UUID, *, event_id: str, event_type: str, seq: int | None,
                 occurred_at: datetime, from_status: str | None, to_status: str, verdict: str, reason: str | None,
                 detail: dict[str, Any]) -> int:
    """Add one entry; returns its id (the SSE event id)."""
    return await conn.fetchval(
        """INSERT INTO request_timeline (request_id, event_id, event_type, seq, occurred_at, from_status, to_status,
                                         verdict, reason, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""",
        request_id, event_id, event_type, seq, occurred_at, from_status, to_status, verdict, reason, detail,
    )


async def seen_event_ids(conn: asyncpg.Connection, request_id: UUID) -> frozenset[str]:
    """Every event id already recorded for a request (the state machine's duplicate check)."""
    rows = await conn.fetch("SELECT event_id FROM request_timeline WHERE request_id = $1", request_id)
    return frozenset(r["event_id"] for r in rows)


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
