"""Reads of the ops "now" board: open requests with their response targets, the pool with its load now."""

from datetime import datetime

import asyncpg

from taas_dispatch.domain.board import OPEN_STATUSES

LIVE_ASSIGNMENT = "('assigned', 'acknowledged', 'started')"
# Spelled out (not a parameter) so the planner can use the partial index of open requests (0004_open_requests.sql).
_OPEN = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"

# Dispatch does not compute the response target: the requests service fixes it at submission (its SLA policy by
# severity, business days for a vacancy) and sends it as `respond_by` in RequestSubmitted, which dispatch keeps in
# `submitted`. The clock stops at the first assignment, so the earliest assignment of the request is read too.
# Not yet assigned comes first, the nearest target first.
_OPEN_REQUESTS = f"""
SELECT r.request_id, r.agency_id, a.name AS agency_name, r.kind, r.severity, r.role, r.status, r.round_number,
       r.unfilled_reason, (r.submitted->>'submitted_at')::timestamptz AS submitted_at,
       (r.submitted->>'respond_by')::timestamptz AS respond_by, first.assigned_at AS first_assigned_at,
       coalesce(live.providers, '{{}}') AS providers, count(*) OVER () AS total
FROM requests AS r
LEFT JOIN agencies AS a USING (agency_id)
LEFT JOIN LATERAL (SELECT min(s.assigned_at) AS assigned_at FROM assignments AS s
                   WHERE s.request_id = r.request_id) AS first ON true
LEFT JOIN LATERAL (
    SELECT array_agg(provider_id ORDER BY provider_id) AS providers FROM (
        SELECT s.provider_id FROM assignments AS s
        WHERE s.request_id = r.request_id AND s.status IN {LIVE_ASSIGNMENT}
        UNION
        SELECT o.provider_id FROM offers AS o WHERE o.request_id = r.request_id AND o.status = 'pending') AS p
) AS live ON true
WHERE r.status IN {_OPEN}
ORDER BY first.assigned_at IS NOT NULL, (r.submitted->>'respond_by')::timestamptz NULLS LAST, r.created_at
LIMIT $1"""

# Engaged now: a live assignment whose window holds this instant (a vacancy booked for next week is not work now).
_POOL = f"""
SELECT p.provider_id, p.name, p.status, p.capacity, p.on_call_until, p.home_jurisdiction_id, p.roles,
       p.availability @> $1::timestamptz AS available_now, coalesce(e.engaged, 0) AS engaged_now,
       coalesce(e.requests, '{{}}') AS engaged_requests
FROM providers AS p
LEFT JOIN (
    SELECT provider_id, count(*)::int AS engaged, array_agg(request_id ORDER BY assigned_at) AS requests
    FROM assignments WHERE status IN {LIVE_ASSIGNMENT} AND window_start <= $1 AND $1 < window_end
    GROUP BY provider_id) AS e USING (provider_id)
ORDER BY p.name, p.provider_id
LIMIT $2"""


async def open_requests(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Requests not completed or cancelled, not yet assigned first, the nearest response target first."""
    return await conn.fetch(_OPEN_REQUESTS, limit)


async def pool(conn: asyncpg.Connection, now: datetime, limit: int) -> list[asyncpg.Record]:
    """Every provider of the read model with what it is engaged on at `now`, by name."""
    return await conn.fetch(_POOL, now, limit)
