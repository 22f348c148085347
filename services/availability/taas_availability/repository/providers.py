"""SQL of the providers table."""

from datetime import datetime
from typing import Any

import asyncpg

COLUMNS = ("id, name, time_zone, roles, skills, profile, windows, status, on_call_since, on_call_until, "
           "availability, horizon_until, version, created_at, updated_at")
# The columns a change writes (everything but the id, the version and the timestamps).
MUTABLE = ("name", "time_zone", "roles", "skills", "profile", "windows", "status", "on_call_since", "on_call_until",
           "availability", "horizon_until")


async def insert(conn: asyncpg.Connection, provider_id: str, state: dict[str, Any]) -> asyncpg.Record | None:
    """Insert a provider at version 1; None when the id is taken."""
    names = ", ".join(MUTABLE)
    params = ", ".join(f"${i}" for i in range(2, len(MUTABLE) + 2))
    return await conn.fetchrow(
        f"INSERT INTO providers (id, {names}) VALUES ($1, {params}) ON CONFLICT (id) DO NOTHING RETURNING {COLUMNS}",
        provider_id, *(state[c] for c in MUTABLE),
    )


async def get(conn: asyncpg.Connection, provider_id: str, *, for_update: bool = False) -> asyncpg.Record | None:
    """One provider, optionally locked for a change (which serialises its versions)."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {COLUMNS} FROM providers WHERE id = $1{lock}", provider_id)


async def save(conn: asyncpg.Connection, provider_id: str, state: dict[str, Any]) -> asyncpg.Record:
    """Store a provider's new state and bump its version (the caller holds the row lock)."""
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(MUTABLE, start=2))
    return await conn.fetchrow(
        f"""UPDATE providers SET {sets}, version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING {COLUMNS}""",
        provider_id, *(state[c] for c in MUTABLE),
    )


async def page(conn: asyncpg.Connection, *, role: str | None, skill: str | None, certification: str | None,
               available_at: datetime | None, status: str | None, after_id: str | None,
               limit: int) -> list[asyncpg.Record]:
    """Providers matching every given filter, by id, after `after_id`; `limit` rows at most."""
    return await conn.fetch(
        f"""SELECT {COLUMNS} FROM providers
            WHERE ($1::text IS NULL OR $1 = ANY(roles))
              AND ($2::text IS NULL OR lower($2) = ANY(skills))
              AND ($3::text IS NULL OR EXISTS (
                    SELECT 1 FROM jsonb_array_elements(profile->'certifications') c
                    WHERE lower(c->>'name') = lower($3)
                      AND (c->>'expires_on' IS NULL OR (c->>'expires_on')::date >= current_date)))
              AND ($4::timestamptz IS NULL OR (status = 'active' AND availability @> $4::timestamptz))
              AND ($5::text IS NULL OR status = $5)
              AND ($6::text IS NULL OR id > $6)
            ORDER BY id LIMIT $7""",
        role, skill, certification, available_at, status, after_id, limit,
    )


async def lock_due_for_refresh(conn: asyncpg.Connection, horizon_before: datetime, limit: int) -> list[asyncpg.Record]:
    """Providers whose published horizon ends before `horizon_before`, locked; rows another instance holds are skipped."""
    return await conn.fetch(
        f"""SELECT {COLUMNS} FROM providers
            WHERE status <> 'offboarded' AND horizon_until < $1
            ORDER BY horizon_until LIMIT $2 FOR UPDATE SKIP LOCKED""",
        horizon_before, limit,
    )


async def credentials_page(conn: asyncpg.Connection, after_id: str | None, limit: int) -> list[asyncpg.Record]:
    """Id and credentials of providers not offboarded, by id, after `after_id`."""
    return await conn.fetch(
        """SELECT id, profile->'certifications' AS certifications, profile->'clearances' AS clearances
           FROM providers WHERE status <> 'offboarded' AND ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2""",
        after_id, limit,
    )
