"""Timers: deadlines and deferred work as rows with a due time, claimed with FOR UPDATE SKIP LOCKED."""

from datetime import datetime, timedelta

import asyncpg

OFFER_EXPIRY = "offer_expiry"
ACK_DEADLINE = "ack_deadline"
REMATCH = "rematch"


async def add(conn: asyncpg.Connection, timers: list[tuple[str, str, str, datetime]]) -> None:
    """Schedule (kind, request id, ref id, due at); a timer already pending for the same ref is kept."""
    await conn.executemany(
        """INSERT INTO timers (kind, request_id, ref_id, due_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (kind, ref_id) DO NOTHING""",
        timers,
    )


async def claim_due(conn: asyncpg.Connection, now: datetime) -> asyncpg.Record | None:
    """Lock the most overdue timer no other transaction holds; firing deletes it in the same transaction."""
    return await conn.fetchrow(
        """SELECT id, kind, request_id, ref_id, due_at FROM timers WHERE due_at <= $1
           ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED""",
        now,
    )


async def delete(conn: asyncpg.Connection, timer_id: int) -> None:
    """Remove a fired timer."""
    await conn.execute("DELETE FROM timers WHERE id = $1", timer_id)


async def cancel(conn: asyncpg.Connection, kind: str, ref_id: str) -> None:
    """Drop a pending timer that no longer matters (skipped if the timer loop holds it: it will find no work)."""
    await conn.execute(
        """DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE kind = $1 AND ref_id = $2
           FOR UPDATE SKIP LOCKED)""",
        kind, ref_id,
    )


async def postpone(conn: asyncpg.Connection, timer_id: int, delay: timedelta) -> None:
    """Push back a timer whose firing failed, so later timers still fire."""
    await conn.execute("UPDATE timers SET due_at = now() + $2 WHERE id = $1", timer_id, delay)
