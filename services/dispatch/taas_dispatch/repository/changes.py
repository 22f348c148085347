"""Everything one use case writes about a request, as one statement: offers, log, outbox and NOTIFY, request row."""

from collections.abc import Callable
from functools import cache
from typing import Any

import asyncpg

from taas_dispatch.domain.offers import Offer
from taas_kit import outbox

# New offers keep the given order in their positions; each gets its answer deadline as a timer.
_OFFERS = """made AS (
    INSERT INTO offers (offer_id, request_id, round_number, provider_id, rank, status, created_at, expires_at)
    SELECT * FROM unnest(${}::text[], ${}::text[], ${}::int[], ${}::text[], ${}::int[], ${}::text[],
                         ${}::timestamptz[], ${}::timestamptz[])
    RETURNING offer_id, request_id, expires_at),
deadlines AS (
    INSERT INTO timers (kind, request_id, ref_id, due_at)
    SELECT 'offer_expiry', request_id, offer_id, expires_at FROM made)"""

# The log rows keep the given order in their ids (the ops views and the live stream read by id).
_LOG = """log AS (
    INSERT INTO dispatch_log (record_id, request_id, agency_id, provider_id, step, summary, detail, at)
    SELECT rid, req, ag, pid, st, su, de, at
    FROM unnest(${}::text[], ${}::text[], ${}::text[], ${}::text[], ${}::text[], ${}::text[], ${}::jsonb[],
                ${}::timestamptz[]) WITH ORDINALITY AS r(rid, req, ag, pid, st, su, de, at, n)
    ORDER BY n)"""

_REQUEST = """saved AS (
    UPDATE requests SET status = ${}, round_number = ${}, round = ${}::jsonb, window_start = ${}, window_end = ${},
        seq = ${}, unfilled_reason = ${}, unfilled_at = ${}, updated_at = now()
    WHERE request_id = ${})"""

REQUEST_COLUMNS = ("status", "round_number", "round", "window_start", "window_end", "seq", "unfilled_reason",
                   "unfilled_at", "request_id")


def _numbered(template: str) -> Callable[[int], tuple[str, int]]:
    """A part whose `${}` placeholders are numbered from a given first parameter: (its SQL, how many)."""
    count = template.count("${}")
    return lambda first: (template.format(*range(first, first + count)), count)


# In statement order; the events part is the kit's outbox insert (ids in the given order) as a CTE.
_PARTS = (_numbered(_OFFERS), _numbered(_LOG), lambda first: (f"added AS ({outbox.insert_sql(first)})", 5),
          _numbered(_REQUEST))


@cache
def _statement(offers: bool, log: bool, events: bool, request: bool) -> str:
    """The statement for the parts present; each data-modifying CTE runs once whether or not it is read."""
    parts, n = [], 0
    for present, part in zip((offers, log, events, request), _PARTS, strict=True):
        if present:
            sql, count = part(n + 1)
            parts.append(sql)
            n += count
    # The NOTIFY wakes the outbox relay at commit, as outbox.add does; a statement with no events sends none.
    final = f"SELECT pg_notify(${n + 1}, '')" if events else "SELECT NULL"
    return "WITH " + ",\n".join(parts) + "\n" + final


def _columns(rows: list[tuple]) -> list[list]:
    return [list(column) for column in zip(*rows, strict=True)]


async def write(conn: asyncpg.Connection, schema: str, records: list[dict[str, Any]],
                events: list[tuple[str, str, dict[str, Any]]], request: dict[str, Any] | None,
                offers: list[tuple[Offer, int, int]] = ()) -> None:
    """Store new offers (offer, round, rank), log records, events (topic, key, envelope), the request in one go."""
    if not (offers or records or events or request is not None):
        return
    args: list = []
    if offers:
        args += _columns([(o.offer_id, o.request_id, rnd, o.provider_id, rank, str(o.status), o.created_at,
                           o.expires_at) for o, rnd, rank in offers])
    if records:
        args += _columns([(r["record_id"], r["request_id"], r["agency_id"], r["provider_id"], r["step"], r["summary"],
                           r["detail"], r["at"]) for r in records])
    if events:
        args += outbox.arguments(events)
    if request is not None:
        args += [request[c] for c in REQUEST_COLUMNS]
    if events:
        args.append(outbox.channel(schema))
    await conn.execute(_statement(bool(offers), bool(records), bool(events), request is not None), *args)
