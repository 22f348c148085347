"""Assignments, their time entries, and the bookings that hold a provider's capacity."""

from typing import Any

import asyncpg

from taas_dispatch.domain.assignments import Assignment, AssignmentStatus, ReleaseCause, TimeEntry

_INSERT_COLUMNS = (
    "assignment_id", "request_id", "agency_id", "provider_id", "offer_id", "round_number", "via", "status",
    "assigned_at", "acknowledge_by", "rate_cents", "home_jurisdiction_id", "firm", "kind", "severity", "role",
    "window_start", "window_end",
)
_INSERT = f"""INSERT INTO assignments ({", ".join(_INSERT_COLUMNS)})
VALUES ({", ".join(f"${i}" for i in range(1, len(_INSERT_COLUMNS) + 1))})"""

# Take the lowest free slot of the provider's capacity; a concurrent booking of the same slot trips the
# exclusion constraint, and the caller retries so it sees that booking and takes the next slot or none.
_BOOK = """
INSERT INTO bookings (assignment_id, provider_id, slot, period)
SELECT $1, $2, s, $3 FROM generate_series(1, (SELECT capacity FROM providers WHERE provider_id = $2)) AS s
WHERE NOT EXISTS (SELECT 1 FROM bookings AS b WHERE b.provider_id = $2 AND b.slot = s AND b.period && $3)
ORDER BY s LIMIT 1
RETURNING slot"""


class _Refused(Exception):
    """Every slot of the provider overlaps the period."""


async def insert_booked(conn: asyncpg.Connection, row: dict[str, Any]) -> int | None:
    """Store a new assignment holding one of its provider's slots; None (and nothing stored) if the database refuses."""
    period = asyncpg.Range(row["window_start"], row["window_end"])
    for _ in range(4):
        try:
            async with conn.transaction():
                await conn.execute(_INSERT, *(row[c] for c in _INSERT_COLUMNS))
                slot = await conn.fetchval(_BOOK, row["assignment_id"], row["provider_id"], period)
                if slot is None:
                    raise _Refused
                return slot
        except asyncpg.ExclusionViolationError:
            continue
        except _Refused:
            return None
    return None


async def unbook(conn: asyncpg.Connection, assignment_id: str) -> None:
    """Free the slot an assignment held."""
    await conn.execute("DELETE FROM bookings WHERE assignment_id = $1", assignment_id)


async def save(conn: asyncpg.Connection, a: Assignment) -> None:
    """Write back an assignment's lifecycle fields."""
    await conn.execute(
        """UPDATE assignments SET status = $2, acknowledged_at = $3, started_at = $4, ended_at = $5,
               release_cause = $6, release_reason = $7 WHERE assignment_id = $1""",
        a.assignment_id, str(a.status), a.acknowledged_at, a.started_at, a.ended_at,
        str(a.release_cause) if a.release_cause else None, a.release_reason,
    )


async def add_time_entry(conn: asyncpg.Connection, assignment_id: str, entry: TimeEntry) -> None:
    """Store a time entry."""
    await conn.execute(
        "INSERT INTO time_entries (entry_id, assignment_id, started_at, minutes, note) VALUES ($1, $2, $3, $4, $5)",
        entry.entry_id, assignment_id, entry.started_at, entry.minutes, entry.note,
    )


async def get(conn: asyncpg.Connection, assignment_id: str) -> asyncpg.Record | None:
    """One assignment row."""
    return await conn.fetchrow("SELECT * FROM assignments WHERE assignment_id = $1", assignment_id)


async def live_for_request(conn: asyncpg.Connection, request_id: str) -> asyncpg.Record | None:
    """The request's assignment that is not completed or released, if any."""
    return await conn.fetchrow(
        "SELECT * FROM assignments WHERE request_id = $1 AND status IN ('assigned', 'acknowledged', 'started')",
        request_id,
    )


async def entries(conn: asyncpg.Connection, assignment_id: str) -> list[asyncpg.Record]:
    """An assignment's time entries in time order."""
    return await conn.fetch(
        "SELECT * FROM time_entries WHERE assignment_id = $1 ORDER BY started_at", assignment_id
    )


async def load(conn: asyncpg.Connection, row: asyncpg.Record) -> Assignment:
    """The domain assignment of a row, with its time entries."""
    found = await entries(conn, row["assignment_id"])
    return Assignment(
        assignment_id=row["assignment_id"],
        request_id=row["request_id"],
        provider_id=row["provider_id"],
        assigned_at=row["assigned_at"],
        acknowledge_by=row["acknowledge_by"],
        status=AssignmentStatus(row["status"]),
        acknowledged_at=row["acknowledged_at"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        release_cause=ReleaseCause(row["release_cause"]) if row["release_cause"] else None,
        release_reason=row["release_reason"],
        time_entries=tuple(TimeEntry(e["entry_id"], e["started_at"], e["minutes"], e["note"]) for e in found),
    )


async def listing(conn: asyncpg.Connection, provider_id: str | None, status: str | None,
                  limit: int) -> list[asyncpg.Record]:
    """Assignments newest first: one provider's, or everyone's (ops)."""
    return await conn.fetch(
        """SELECT * FROM assignments WHERE ($1::text IS NULL OR provider_id = $1) AND ($2::text IS NULL OR status = $2)
           ORDER BY assigned_at DESC LIMIT $3""",
        provider_id, status, limit,
    )
