"""SQL of coverage requests and their idempotency keys."""

from datetime import datetime
from uuid import UUID

import asyncpg

from taas_requests.repository import timeline

COLUMNS = """id, agency_id, kind, severity, role, status, last_seq, spec, window_start, window_end, submitted_at,
              respond_by, assigned_at, cancelled_at, cancel_reason, updated_at"""

# Mirrors domain.sla.is_breached so the list can filter on it: the clock stops at assignment or cancellation.
BREACHED_SQL = "(coalesce(assigned_at, cancelled_at, now()) > respond_by)"


async def get_key(conn: asyncpg.Connection, agency_id: str, key: str) -> asyncpg.Record | None:
    """The stored fingerprint and response of a key."""
    return await conn.fetchrow(
        "SELECT fingerprint, status_code, response FROM idempotency_keys WHERE agency_id = $1 AND key = $2",
        agency_id, key,
    )


async def get(conn: asyncpg.Connection, request_id: UUID) -> asyncpg.Record | None:
    """One request."""
    return await conn.fetchrow(f"SELECT {COLUMNS} FROM coverage_requests WHERE id = $1", request_id)


async def lock(conn: asyncpg.Connection, request_id: UUID) -> asyncpg.Record | None:
    """A request locked for a change, with its timeline's event ids and the id of the entry the change will add."""
    # One round trip instead of three. The outer SELECT runs once the CTE holds the lock, so reserved timeline ids
    # follow the order in which changes of a request take it. The seen ids are read with the statement's snapshot:
    # a transaction that committed while this one waited for the lock may be missing from them, but it handled
    # another event (the inbox makes a redelivery wait for the first delivery's transaction) or an agency's cancel
    # (a fresh id), and the timeline's unique (request, event) key would refuse a second entry anyway.
    return await conn.fetchrow(
        f"""WITH locked AS MATERIALIZED (SELECT {COLUMNS} FROM coverage_requests WHERE id = $1 FOR UPDATE)
            SELECT locked.*,
                   ARRAY(SELECT t.event_id FROM request_timeline t WHERE t.request_id = locked.id) AS seen_event_ids,
                   {timeline.NEXT_ID} AS timeline_id
            FROM locked""",
        request_id,
    )


async def lock_many(conn: asyncpg.Connection, request_ids: list[UUID]) -> list[asyncpg.Record]:
    """The requests named by a batch of events (`request_ids`, one per event, in order), locked in id order, each
    with its timeline's event ids and the ids reserved for the entries its events will add, in the events' order."""
    # Locking in id order means two batches never wait for each other in a cycle. The timeline ids are reserved
    # only once every lock is held (the count reads every locked row first), so, as in `lock`, they follow the
    # order in which changes of a request take its lock; one id per event, ascending in the events' order. The
    # seen ids are read with the statement's snapshot, as in `lock`.
    return await conn.fetch(
        f"""WITH locked AS MATERIALIZED (
                 SELECT {COLUMNS} FROM coverage_requests WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE),
             reserved AS MATERIALIZED (
                 SELECT ARRAY(SELECT {timeline.NEXT_ID} FROM generate_series(1, cardinality($1::uuid[]))) AS ids
                 FROM (SELECT count(*) AS held FROM locked) AS all_locked WHERE held > 0)
            SELECT locked.*,
                   ARRAY(SELECT t.event_id FROM request_timeline t WHERE t.request_id = locked.id) AS seen_event_ids,
                   ARRAY(SELECT reserved.ids[e.n] FROM unnest($1::uuid[]) WITH ORDINALITY AS e(request_id, n)
                         WHERE e.request_id = locked.id ORDER BY e.n) AS timeline_ids
            FROM locked, reserved""",
        request_ids,
    )


async def page(conn: asyncpg.Connection, *, agency_id: str | None, status: str | None, kind: str | None,
               severity: str | None, created_after: datetime | None, created_before: datetime | None,
               breached: bool | None, after: tuple[datetime, UUID] | None, limit: int) -> list[asyncpg.Record]:
    """A page of requests, newest first, after the keyset position `after`."""
    after_at, after_id = after if after else (None, None)
    return await conn.fetch(
        f"""SELECT {COLUMNS} FROM coverage_requests
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
