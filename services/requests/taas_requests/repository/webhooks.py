"""SQL of webhooks, their durable deliveries and the attempt log."""

from datetime import datetime
from uuid import UUID

import asyncpg

_HOOK = "id, agency_id, url, secret, events, description, created_at"


async def insert(conn: asyncpg.Connection, hook_id: UUID, agency_id: str, url: str, secret: str, events: list[str],
                 description: str) -> asyncpg.Record:
    """Register a webhook."""
    return await conn.fetchrow(
        f"""INSERT INTO webhooks (id, agency_id, url, secret, events, description) VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING {_HOOK}""",
        hook_id, agency_id, url, secret, events, description,
    )


async def get(conn: asyncpg.Connection, hook_id: UUID) -> asyncpg.Record | None:
    """One live (not deleted) webhook."""
    return await conn.fetchrow(f"SELECT {_HOOK} FROM webhooks WHERE id = $1 AND deleted_at IS NULL", hook_id)


async def list_live(conn: asyncpg.Connection, agency_id: str | None) -> list[asyncpg.Record]:
    """Live webhooks of one agency (or all)."""
    return await conn.fetch(
        f"""SELECT {_HOOK} FROM webhooks WHERE deleted_at IS NULL AND ($1::text IS NULL OR agency_id = $1)
            ORDER BY created_at, id""",
        agency_id,
    )


async def delete(conn: asyncpg.Connection, hook_id: UUID) -> None:
    """Retire a webhook; its pending deliveries are abandoned, its log kept."""
    await conn.execute("UPDATE webhooks SET deleted_at = now() WHERE id = $1", hook_id)
    await conn.execute(
        """UPDATE webhook_deliveries SET status = 'abandoned', last_error = 'webhook deleted'
           WHERE webhook_id = $1 AND status = 'pending'""",
        hook_id,
    )


# Queues one delivery per live webhook of the agency that wants the event type; a part of the statement that writes
# the change (repository.changes), with the placeholders of that statement filled in (`when`: an SQL condition
# under which anything is queued).
ENQUEUE = """INSERT INTO webhook_deliveries (webhook_id, agency_id, event_id, event_type, body)
    SELECT id, agency_id, {event_id}, {event_type}, {body} FROM webhooks
    WHERE agency_id = {agency_id} AND deleted_at IS NULL AND {event_type} = ANY (events) AND {when}
    ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING webhook_id"""


async def claim_due(conn: asyncpg.Connection, limit: int, lease_seconds: float) -> list[asyncpg.Record]:
    """Lease due deliveries (skipping those another sender holds): a crash mid-send retries after the lease."""
    return await conn.fetch(
        """WITH due AS (
               SELECT d.id FROM webhook_deliveries d
               WHERE d.status = 'pending' AND d.next_attempt_at <= now()
               ORDER BY d.next_attempt_at LIMIT $1
               FOR UPDATE SKIP LOCKED)
           UPDATE webhook_deliveries d
           SET next_attempt_at = now() + make_interval(secs => $2), attempts = d.attempts + 1
           FROM due, webhooks w
           WHERE d.id = due.id AND w.id = d.webhook_id
           RETURNING d.id, d.event_id, d.event_type, d.body, d.attempts, w.url, w.secret""",
        limit, lease_seconds,
    )


async def next_due_at(conn: asyncpg.Connection) -> datetime | None:
    """When the earliest pending delivery is due."""
    return await conn.fetchval("SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'")


async def record_attempt(conn: asyncpg.Connection, delivery_id: UUID, attempt: int, *, at: datetime,
                         status_code: int | None, error: str | None, duration_ms: float, delivered: bool,
                         next_attempt_at: datetime | None) -> None:
    """Log one try and move the delivery on: delivered, retried at `next_attempt_at`, or failed (given up)."""
    await conn.execute(
        """INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        delivery_id, attempt, at, status_code, error, duration_ms,
    )
    status = "delivered" if delivered else ("pending" if next_attempt_at is not None else "failed")
    await conn.execute(
        """UPDATE webhook_deliveries SET status = $2, last_status_code = $3, last_error = $4,
                  next_attempt_at = coalesce($5, next_attempt_at), delivered_at = CASE WHEN $6::boolean THEN $7::timestamptz END
           WHERE id = $1 AND status = 'pending'""",
        delivery_id, status, status_code, error, next_attempt_at, delivered, at,
    )


async def deliveries(conn: asyncpg.Connection, hook_id: UUID, status: str | None, limit: int) -> list[asyncpg.Record]:
    """The delivery log of a webhook, newest first, each with its attempts."""
    return await conn.fetch(
        """SELECT d.id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, d.last_status_code,
                  d.last_error, d.created_at, d.delivered_at, d.body,
                  coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at,
                                    'status_code', a.status_code, 'error', a.error, 'duration_ms', a.duration_ms)
                                    ORDER BY a.attempt)
                            FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS attempt_log
           FROM webhook_deliveries d
           WHERE d.webhook_id = $1 AND ($2::text IS NULL OR d.status = $2)
           ORDER BY d.created_at DESC, d.id DESC LIMIT $3""",
        hook_id, status, limit,
    )
