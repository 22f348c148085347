"""The assignments read model: what dispatch booked, logged time, and where billing stands with each."""

from datetime import datetime
from typing import Any

import asyncpg

from taas_contracts.events.dispatch import AssignmentCreated


async def record_created(conn: asyncpg.Connection, event: AssignmentCreated, event_id: str) -> None:
    """Remember a booking (a redelivery or a late copy changes nothing)."""
    await conn.execute(
        """INSERT INTO assignments (assignment_id, request_id, agency_id, provider_id, lending_jurisdiction_id,
                                    provider_firm, rate_cents, kind, severity, status, created_event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'assigned', $10)
           ON CONFLICT (assignment_id) DO NOTHING""",
        event.assignment_id, event.request_id, event.agency_id, event.provider_id,
        event.provider_home_jurisdiction_id, event.provider_firm, event.rate_cents, event.kind.value,
        event.severity.value if event.severity else None, event_id,
    )


async def ensure(conn: asyncpg.Connection, values: dict[str, Any]) -> None:
    """Create the assignment row if dispatch's creation event was never seen (billing needs a row to claim)."""
    await conn.execute(
        """INSERT INTO assignments (assignment_id, request_id, agency_id, provider_id, lending_jurisdiction_id,
                                    provider_firm, rate_cents, kind, severity, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'assigned')
           ON CONFLICT (assignment_id) DO NOTHING""",
        values["assignment_id"], values["request_id"], values["agency_id"], values["provider_id"],
        values.get("lending_jurisdiction_id"), values.get("provider_firm"), values["rate_cents"], values["kind"],
        values.get("severity"),
    )


async def get(conn: asyncpg.Connection, assignment_id: str, *, for_update: bool = False) -> asyncpg.Record | None:
    """One assignment (row-locked when asked)."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT * FROM assignments WHERE assignment_id = $1{lock}", assignment_id)


async def record_time(conn: asyncpg.Connection, assignment_id: str, entry_id: str, started_at: datetime,
                      ended_at: datetime, event_id: str) -> None:
    """Keep a logged time entry (used only if the assignment is released before it completes)."""
    await conn.execute(
        """INSERT INTO time_entries (assignment_id, entry_id, started_at, ended_at, source_event_id)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (assignment_id, entry_id) DO UPDATE SET started_at = EXCLUDED.started_at,
               ended_at = EXCLUDED.ended_at, source_event_id = EXCLUDED.source_event_id""",
        assignment_id, entry_id, started_at, ended_at, event_id,
    )


async def time_entries(conn: asyncpg.Connection, assignment_id: str) -> list[tuple[datetime, datetime]]:
    """The logged time of an assignment, in time order."""
    rows = await conn.fetch(
        "SELECT started_at, ended_at FROM time_entries WHERE assignment_id = $1 ORDER BY started_at, entry_id",
        assignment_id,
    )
    return [(r["started_at"], r["ended_at"]) for r in rows]


async def set_status(conn: asyncpg.Connection, assignment_id: str, status: str) -> None:
    """Move an assignment that is not billed yet to `assigned` or `released`."""
    await conn.execute(
        "UPDATE assignments SET status = $2, updated_at = now() WHERE assignment_id = $1 AND status IN ('assigned', 'released')",
        assignment_id, status,
    )


async def set_awaiting_agency(conn: asyncpg.Connection, assignment_id: str, work: dict[str, Any],
                              event_id: str, completed_at: datetime) -> None:
    """Park completed work until its agency's snapshot arrives."""
    await conn.execute(
        """UPDATE assignments SET status = 'awaiting_agency', pending_work = $2, billing_event_id = $3,
                                  completed_at = $4, updated_at = now()
           WHERE assignment_id = $1""",
        assignment_id, work, event_id, completed_at,
    )


async def awaiting(conn: asyncpg.Connection, agency_id: str) -> list[asyncpg.Record]:
    """Parked work of an agency, row-locked, oldest first."""
    return await conn.fetch(
        """SELECT assignment_id, pending_work FROM assignments
           WHERE agency_id = $1 AND status = 'awaiting_agency' ORDER BY completed_at, assignment_id FOR UPDATE""",
        agency_id,
    )


async def count_awaiting(conn: asyncpg.Connection) -> int:
    """How much work waits for an agency snapshot."""
    return await conn.fetchval("SELECT count(*) FROM assignments WHERE status = 'awaiting_agency'")


async def mark_billed(conn: asyncpg.Connection, assignment_id: str, event_id: str, at: datetime,
                      rules_version: int) -> None:
    """Record that an assignment's work is in the ledger."""
    await conn.execute(
        """UPDATE assignments SET status = 'billed', pending_work = NULL, billing_event_id = $2,
                                  completed_at = coalesce(completed_at, $3), billed_at = now(),
                                  rate_rules_version = $4, updated_at = now()
           WHERE assignment_id = $1""",
        assignment_id, event_id, at, rules_version,
    )
