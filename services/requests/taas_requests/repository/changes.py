"""SQL that writes one change of a request in one statement: the row, its timeline entry and what tells the agency.

A change touches the request row, its timeline, the webhook deliveries and the live stream's NOTIFY (and, for a
submission, the answer kept under the idempotency key). They are one statement, not one per table, because each
round trip costs CPU in asyncpg, the kernel and the backend on the hot path; the parts of a statement commit or
roll back together with the caller's transaction, as the separate statements did. A status change's entry id was
reserved beforehand (`timeline.NEXT_ID`), so the webhook body and the NOTIFY, which carry it, are built before the
statement; a submission is one statement on its own, which takes the id itself (see `_SUBMITTED`).
The webhook sender is woken on its own channel, and only by a change that queued deliveries: most agencies have no
webhooks, and a wake-up costs the sender a claim transaction.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from taas_kit import outbox
from taas_requests.domain.status import TimelineEntry
from taas_requests.repository import timeline, webhooks

# What a submission's change carries as its timeline id until the statement that writes it takes the real one.
PENDING_TIMELINE_ID = -1


@dataclass(frozen=True, slots=True)
class Notice:
    """What tells the agency about a change: the webhook deliveries' event and body, and the stream's NOTIFY."""

    channel: str  # the stream's, notified with `note`
    wake_channel: str  # the webhook sender's, notified only when the change queued deliveries
    agency_id: str
    event_id: uuid.UUID
    event_type: str
    body: str
    note: str


# The whole submission in one statement, outside any explicit transaction: the key is claimed only for an active
# agency whose time zone is the one the request was built with ($35; the caller's remembered zone may be stale),
# and everything else is written only if the key was claimed. A concurrent submission with the same key waits on
# the key's unique index until this one commits, then claims nothing. The timeline entry's id is taken here, and
# the stream's NOTIFY gets it in place of the -1 it was built with (`PENDING_TIMELINE_ID`).
_SUBMITTED = f"""
WITH claimed AS MATERIALIZED (
    INSERT INTO idempotency_keys (agency_id, key, fingerprint, request_id, status_code, response)
    SELECT $2, $26, $17, $1, $27, $28 FROM agencies WHERE id = $2 AND active AND time_zone = $35
    ON CONFLICT (agency_id, key) DO NOTHING RETURNING 1),
entry_id AS MATERIALIZED (SELECT {timeline.NEXT_ID} AS id FROM claimed),
request AS (
    INSERT INTO coverage_requests (id, agency_id, kind, severity, role, status, last_seq, spec, window_start,
                                   window_end, submitted_at, respond_by, assigned_at, cancelled_at, cancel_reason,
                                   updated_at)
    SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text, $7::integer, $8::jsonb, $9::timestamptz,
           $10::timestamptz, $11::timestamptz, $12::timestamptz, $13::timestamptz, $14::timestamptz, $15::text,
           $16::timestamptz
    FROM claimed RETURNING id),
entry AS (
    INSERT INTO request_timeline (id, request_id, event_id, event_type, occurred_at, to_status, verdict)
    SELECT entry_id.id, request.id, $18, $19, $11, $6, 'applied' FROM request, entry_id),
queued AS ({webhooks.ENQUEUE.format(agency_id="$2", event_id="$20", event_type="$21", body="$22",
                                    when="EXISTS (SELECT FROM claimed)")}),
added AS ({outbox.insert_sql(29, when="EXISTS (SELECT FROM claimed)")})
SELECT EXISTS (SELECT FROM claimed) AS claimed, agency.active, agency.time_zone,
       (SELECT pg_notify($23, replace($24, '"timeline_id":{PENDING_TIMELINE_ID}', '"timeline_id":' || entry_id.id))
        FROM entry_id) AS noticed,
       (SELECT pg_notify($25, '') FROM queued LIMIT 1) AS woken,
       (SELECT pg_notify($34, '') FROM claimed) AS relayed
FROM (SELECT) AS one LEFT JOIN agencies AS agency ON agency.id = $2"""


async def insert_submitted(conn: asyncpg.Connection, row: Mapping[str, Any], *, fingerprint: str, time_zone: str,
                           event_id: str, event_type: str, notice: Notice, key: str, status_code: int,
                           response: Any, schema: str, events: list[tuple[str, str, Any]]) -> asyncpg.Record:
    """Store a new request with its first timeline entry, its notice, its idempotency key with the answer and its
    outbox events, if the key is new and the agency active in `time_zone`: (claimed, the agency's active and
    time_zone, both None when unknown)."""
    return await conn.fetchrow(
        _SUBMITTED,
        row["id"], row["agency_id"], row["kind"], row["severity"], row["role"], row["status"], row["last_seq"],
        row["spec"], row["window_start"], row["window_end"], row["submitted_at"], row["respond_by"],
        row["assigned_at"], row["cancelled_at"], row["cancel_reason"], row["updated_at"],
        fingerprint, event_id, event_type,
        notice.event_id, notice.event_type, notice.body, notice.channel, notice.note, notice.wake_channel,
        key, status_code, response, *outbox.arguments(events), outbox.channel(schema), time_zone,
    )


# Parts are switched off by their guard: no move ($2 false) leaves the row as it is; no notice ($21 and $24 null)
# queues nothing and notifies nothing.
_PROGRESS = f"""
WITH moved AS (
    UPDATE coverage_requests SET status = $3, last_seq = $4, assigned_at = $5, cancelled_at = $6, cancel_reason = $7,
                                 updated_at = $8
    WHERE id = $1 AND $2::boolean),
entry AS (
    INSERT INTO request_timeline (id, request_id, event_id, event_type, seq, occurred_at, from_status, to_status,
                                  verdict, reason, detail)
    VALUES ($9, $1, $10, $11, $12, $13, $14, $15, $16, $17, $18)),
queued AS ({webhooks.ENQUEUE.format(agency_id="$19", event_id="$20", event_type="$21", body="$22", when="true")})
SELECT pg_notify($23, $24), (SELECT pg_notify($25, '') FROM queued LIMIT 1) WHERE $24::text IS NOT NULL"""


@dataclass(frozen=True, slots=True)
class Progress:
    """What one event writes: the request's new progress (if it moved), its timeline entry and its notice."""

    request_id: uuid.UUID
    moved: Mapping[str, Any] | None
    timeline_id: int
    entry: TimelineEntry
    detail: dict[str, Any]
    notice: Notice | None


def _progress_arguments(progress: Progress) -> tuple[Any, ...]:
    now, entry, notice = progress.moved or {}, progress.entry, progress.notice
    return (
        progress.request_id, progress.moved is not None, now.get("status"), now.get("last_seq"),
        now.get("assigned_at"), now.get("cancelled_at"), now.get("cancel_reason"), now.get("updated_at"),
        progress.timeline_id, entry.event_id, entry.event_type, entry.seq, entry.occurred_at, entry.from_status.value,
        entry.to_status.value, entry.verdict.value, entry.reason, progress.detail,
        notice.agency_id if notice else None, notice.event_id if notice else None,
        notice.event_type if notice else None, notice.body if notice else None,
        notice.channel if notice else None, notice.note if notice else None,
        notice.wake_channel if notice else None,
    )


async def record_progress(conn: asyncpg.Connection, progress: Progress) -> None:
    """Store what an event did."""
    await conn.execute(_PROGRESS, *_progress_arguments(progress))


async def record_progress_many(conn: asyncpg.Connection, progresses: list[Progress]) -> None:
    """Store what several events did, in order, in one round trip."""
    # asyncpg pipelines the executions (every Bind/Execute, then one Sync): one round trip for the batch, and each
    # execution still sees the ones before it, so several changes of one request apply in turn.
    await conn.executemany(_PROGRESS, [_progress_arguments(p) for p in progresses])
