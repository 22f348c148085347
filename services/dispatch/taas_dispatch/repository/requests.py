"""Coverage requests as dispatch keeps them: the submitted payload, status, current round and event seq."""

from typing import Any

import asyncpg

from taas_dispatch.repository.providers import READ_MODEL_LOCK_SHARED


# Matching follows at once, so the same round trip takes the read-model lock it needs (see providers.py).
_INSERT_SUBMITTED = f"""
WITH stored AS (
    INSERT INTO requests (request_id, agency_id, role, kind, severity, submitted, status)
    VALUES ($1, $2, $3, $4, $5, $6, 'matching') ON CONFLICT (request_id) DO NOTHING RETURNING 1)
SELECT EXISTS (SELECT 1 FROM stored) AS fresh, {READ_MODEL_LOCK_SHARED} AS locked"""


async def insert_submitted(conn: asyncpg.Connection, submitted: dict[str, Any], *, request_id: str, agency_id: str,
                           role: str, kind: str, severity: str | None) -> bool:
    """Record a submitted request and take the read-model lock; False if known (a replay, or cancelled first)."""
    return await conn.fetchval(_INSERT_SUBMITTED, request_id, agency_id, role, kind, severity, submitted)


async def insert_cancelled(conn: asyncpg.Connection, request_id: str, agency_id: str) -> None:
    """Remember a cancellation that arrived before its submission, so the submission is then ignored."""
    await conn.execute(
        """INSERT INTO requests (request_id, agency_id, status) VALUES ($1, $2, 'cancelled')
           ON CONFLICT (request_id) DO NOTHING""",
        request_id, agency_id,
    )


async def lock(conn: asyncpg.Connection, request_id: str) -> asyncpg.Record | None:
    """The request row, locked for the rest of the transaction (every change to a request goes through here)."""
    return await conn.fetchrow("SELECT * FROM requests WHERE request_id = $1 FOR UPDATE", request_id)


async def get(conn: asyncpg.Connection, request_id: str) -> asyncpg.Record | None:
    """The request row, unlocked."""
    return await conn.fetchrow("SELECT * FROM requests WHERE request_id = $1", request_id)


async def unfilled_for_roles(conn: asyncpg.Connection, roles: list[str], limit: int) -> list[asyncpg.Record]:
    """Unfilled requests needing one of `roles`, oldest first."""
    return await conn.fetch(
        """SELECT r.request_id, r.agency_id, r.submitted, a.time_zone AS agency_time_zone
           FROM requests AS r LEFT JOIN agencies AS a USING (agency_id)
           WHERE r.status = 'unfilled' AND r.role = ANY($1::text[])
           ORDER BY r.unfilled_at LIMIT $2""",
        roles, limit,
    )


async def list_unfilled(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Every unfilled request, oldest first (ops)."""
    return await conn.fetch(
        """SELECT request_id, agency_id, role, kind, severity, round_number, unfilled_reason, unfilled_at
           FROM requests WHERE status = 'unfilled' ORDER BY unfilled_at LIMIT $1""",
        limit,
    )


async def tried_providers(conn: asyncpg.Connection, request_id: str) -> list[str]:
    """Providers who turned this request down: declined an offer, released it, or missed an acknowledgement."""
    rows = await conn.fetch(
        """SELECT provider_id FROM offers
           WHERE request_id = $1 AND status = 'declined' AND coalesce(decline_reason, '') <> 'booking_refused'
           UNION
           SELECT provider_id FROM assignments
           WHERE request_id = $1 AND status = 'released'
             AND release_cause IN ('provider', 'acknowledgement_missed')""",
        request_id,
    )
    return [r["provider_id"] for r in rows]
