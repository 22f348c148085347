"""SQL of the assignments seen on the dispatch topic (a provider's load)."""

from datetime import datetime

import asyncpg

_COLUMNS = "assignment_id, provider_id, request_id, agency_id, role, window_start, window_end, status, assigned_at"


async def record_created(conn: asyncpg.Connection, *, assignment_id: str, provider_id: str, request_id: str,
                         agency_id: str, role: str, window_start: datetime, window_end: datetime,
                         assigned_at: datetime) -> None:
    """Remember a booking; one that already ended (its end seen first) stays ended."""
    await conn.execute(
        """INSERT INTO assignments (assignment_id, provider_id, request_id, agency_id, role, window_start, window_end,
                                    status, assigned_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8)
           ON CONFLICT (assignment_id) DO UPDATE SET role = EXCLUDED.role, window_start = EXCLUDED.window_start,
               window_end = EXCLUDED.window_end, assigned_at = EXCLUDED.assigned_at, updated_at = now()""",
        assignment_id, provider_id, request_id, agency_id, role, window_start, window_end, assigned_at,
    )


async def record_ended(conn: asyncpg.Connection, *, assignment_id: str, provider_id: str, request_id: str,
                       agency_id: str, status: str, ended_at: datetime) -> None:
    """Mark a booking completed or released (kept ended whatever arrives later)."""
    await conn.execute(
        """INSERT INTO assignments (assignment_id, provider_id, request_id, agency_id, status, ended_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (assignment_id) DO UPDATE SET status = EXCLUDED.status, ended_at = EXCLUDED.ended_at,
               updated_at = now()
           WHERE assignments.status = 'active'""",
        assignment_id, provider_id, request_id, agency_id, status, ended_at,
    )


async def active_for(conn: asyncpg.Connection, provider_id: str) -> list[asyncpg.Record]:
    """A provider's active assignments, oldest first."""
    return await conn.fetch(
        f"""SELECT {_COLUMNS} FROM assignments WHERE provider_id = $1 AND status = 'active'
            ORDER BY assigned_at NULLS LAST, assignment_id""",
        provider_id,
    )


async def active_counts(conn: asyncpg.Connection, provider_ids: list[str]) -> dict[str, int]:
    """Active assignments per provider (providers without any are absent)."""
    rows = await conn.fetch(
        """SELECT provider_id, count(*) AS n FROM assignments
           WHERE provider_id = ANY($1::text[]) AND status = 'active' GROUP BY provider_id""",
        provider_ids,
    )
    return {r["provider_id"]: r["n"] for r in rows}
