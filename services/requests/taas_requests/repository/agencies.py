"""SQL of the agencies table."""

from typing import Any

import asyncpg

_COLUMNS = "id, name, time_zone, profile, active, version, created_at, updated_at"


async def insert(conn: asyncpg.Connection, agency_id: str, name: str, time_zone: str, profile: dict[str, Any]) -> asyncpg.Record | None:
    """Insert an agency; None when the id is taken."""
    return await conn.fetchrow(
        f"""INSERT INTO agencies (id, name, time_zone, profile) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO NOTHING RETURNING {_COLUMNS}""",
        agency_id, name, time_zone, profile,
    )


async def get(conn: asyncpg.Connection, agency_id: str, *, for_update: bool = False) -> asyncpg.Record | None:
    """One agency, optionally locked for a change."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {_COLUMNS} FROM agencies WHERE id = $1{lock}", agency_id)


async def list_all(conn: asyncpg.Connection, active: bool | None) -> list[asyncpg.Record]:
    """Every agency (optionally only active or only offboarded), by name."""
    return await conn.fetch(
        f"SELECT {_COLUMNS} FROM agencies WHERE ($1::boolean IS NULL OR active = $1) ORDER BY name, id", active
    )


async def update(conn: asyncpg.Connection, agency_id: str, name: str, time_zone: str, profile: dict[str, Any],
                 active: bool) -> asyncpg.Record:
    """Store a changed agency and bump its version."""
    return await conn.fetchrow(
        f"""UPDATE agencies SET name = $2, time_zone = $3, profile = $4, active = $5, version = version + 1,
                   updated_at = now()
            WHERE id = $1 RETURNING {_COLUMNS}""",
        agency_id, name, time_zone, profile, active,
    )
