"""SQL of coverage requests and their idempotency keys."""

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

_COLUMNS = """id, agency_id, kind, severity, role, status, last_seq, spec, window_start, window_end, submitted_at,
              respond_by, assigned_at, cancelled_at, cancel_reason, updated_at"""

# Mirrors domain.sla.is_breached so the list can filter on it: the clock stops at assignment or cancellation.
BREACHED_SQL = "(coalesce(assigned_at, cancelled_at, now()) > respond_by)"


async def claim_key(conn: asyncpg.Connection, agency_id: str, key: str, fingerprint: str) -> bool:
    """Take an idempotency key for this transaction; False if it exists (waits for a concurrent owner to finish)."""
    row = await conn.fetchval(
        """INSERT INTO idempotency_keys (agency_id, key, fingerprint) VALUES ($1, $2, $3)
           ON CONFLICT (agency_id, key) DO NOTHING RETURNING 1""",
        agency_id, key, fingerprint,
    )
    return row is not None


async def get_key(conn: asyncpg.Connection, agency_id: str, key: str) -> asyncpg.Record | None:
    """The stored fingerprint and response of a key."""
    return await conn.fetchrow(
        "SELECT fingerprint, status_code, response FROM idempotency_keys WHERE agency_id = $1 AND key = $2",
        agency_id, key,
    )


async def store_response(conn: asyncpg.Connection, agency_id: str, key: str, request_id: UUID, status_code: int,
                         response: dict[str, Any]) -> None:
    """Remember the answer given under a key, to replay it."""
    await conn.execute(
        """UPDATE idempotency_keys SET request_id = $3, status_code = $4, response = $5
           WHERE agency_id = $1 AND key = $2""",
        agency_id, key, request_id, status_code, response,
    )


async def insert(conn: asyncpg.Connection, *, request_id: UUID, agency_id: str, kind: str, severity: str | None,
                 role: str, spec: dict[str, Any], window_start: datetime, window_end: datetime,
                 submitted_at: datetime, respond_by: datetime) -> asyncpg.Record:
    """Store a new request (status submitted)."""
    return await conn.fetchrow(
        f"""INSERT INTO coverage_requests (id, agency_id, kind, severity, role, spec, window_start, window_end,
                                           submitted_at, respond_by, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING {_COLUMNS}""",
        request_id, agency_id, kind, severity, role, spec, window_start, window_end, submitted_at, respond_by,
    )


async def get(conn: asyncpg.Connection, request_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    """One request, optionally locked for a status change."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {_COLUMNS} FROM coverage_requests WHERE id = $1{lock}", request_id)


async def set_progress(conn: asyncpg.Connection, request_id: UUID, *, status: str, last_seq: int | None,
                       assigned_at: datetime | None, cancelled_at: datetime | None, cancel_reason: str | None,
                       now: datetime) -> asyncpg.Record:
    """Store a request's new status and what goes with it."""
    return await conn.fetchrow(
        f"""UPDATE coverage_requests SET status = $2, last_seq = $3, assigned_at = $4, cancelled_at = $5,
                   cancel_reason = $6, updated_at = $7
            WHERE id = $1 RETURNING {_COLUMNS}""",
        request_id, status, last_seq, assigned_at, cancelled_at, cancel_reason, now,
    )


async def page(conn: asyncpg.Connection, *, agency_id: str | None, status: str | None, kind: str | None,
               severity: str | None, created_after: datetime | None, created_before: datetime | None,
               breached: bool | None, after: tuple[datetime, UUID] | None, limit: int) -> list[asyncpg.Record]:
    """A page of requests, newest first, after the keyset position `after`."""
    after_at, after_id = after if after else (None, None)
    return await conn.fetch(
        f"""SELECT {_COLUMNS} FROM coverage_requests
            WHERE ($1::text IS NULL OR agency_id = $1)
              AND ($2::text IS NULL OR status = $2)
              AND ($3::text IS NULL OR kind = $3)
              AND ($4::text IS NULL OR severity = $4)
              AND ($5::timestamptz IS NULL OR submitted_at >= $5)
              AND ($6::timestamptz IS NULL OR submitted_at < $6)
              AND ($7::boolean IS NULL OR {BREACHED_SQL} = $7)
              AND ($8::timestamptz IS NULL OR (submitted_at, id) < ($8, $9::uuid))
            ORDER BY submitted_at DESC, id DESC
            LIMIT $10""",
        agency_id, status, kind, severity, created_after, created_before, breached, after_at, after_id, limit,
    )
