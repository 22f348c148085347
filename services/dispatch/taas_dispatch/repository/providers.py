"""The provider and agency read models: upserts from snapshots (newest version wins) and lookups."""

from typing import Any

import asyncpg

_PROVIDER_COLUMNS = (
    "provider_id", "version", "name", "roles", "skills", "cert_names", "cert_expiry", "clearance_names",
    "clearance_expiry", "hourly_rate_cents", "capacity", "status", "conflicts", "onsite_lat", "onsite_lon",
    "onsite_radius_km", "availability", "on_call_until", "home_jurisdiction_id", "firm", "time_zone", "regions",
    "horizon_until", "weekly_hours",
)
_UPSERT_PROVIDER = f"""
INSERT INTO providers ({", ".join(_PROVIDER_COLUMNS)}, updated_at)
VALUES ({", ".join(f"${i}" for i in range(1, len(_PROVIDER_COLUMNS) + 1))}, now())
ON CONFLICT (provider_id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in _PROVIDER_COLUMNS[1:])}, updated_at = now()
WHERE providers.version < EXCLUDED.version
RETURNING provider_id"""


async def upsert_provider(conn: asyncpg.Connection, row: dict[str, Any]) -> bool:
    """Store a provider snapshot unless a newer version is already stored; True if it was stored."""
    return await conn.fetchval(_UPSERT_PROVIDER, *(row[c] for c in _PROVIDER_COLUMNS)) is not None


async def upsert_many_providers(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> None:
    """Store many snapshots (benchmarks and tests seed with it)."""
    await conn.executemany(_UPSERT_PROVIDER, [tuple(row[c] for c in _PROVIDER_COLUMNS) for row in rows])


async def get_provider(conn: asyncpg.Connection, provider_id: str) -> asyncpg.Record | None:
    """A provider row, or None."""
    return await conn.fetchrow("SELECT * FROM providers WHERE provider_id = $1", provider_id)


async def booked_periods(conn: asyncpg.Connection, provider_id: str) -> list[asyncpg.Range]:
    """The periods a provider is booked for."""
    rows = await conn.fetch("SELECT period FROM bookings WHERE provider_id = $1", provider_id)
    return [r["period"] for r in rows]


async def upsert_agency(conn: asyncpg.Connection, agency_id: str, name: str, time_zone: str, active: bool,
                        version: int) -> None:
    """Store an agency snapshot unless a newer version is already stored."""
    await conn.execute(
        """INSERT INTO agencies (agency_id, name, time_zone, active, version) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (agency_id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone,
               active = EXCLUDED.active, version = EXCLUDED.version, updated_at = now()
           WHERE agencies.version < EXCLUDED.version""",
        agency_id, name, time_zone, active, version,
    )


async def agency_time_zone(conn: asyncpg.Connection, agency_id: str) -> str | None:
    """The agency's time zone, if its snapshot arrived."""
    return await conn.fetchval("SELECT time_zone FROM agencies WHERE agency_id = $1", agency_id)


# Matching (shared) and provider snapshot intake (exclusive) take this lock first, so a request matched while a
# snapshot lands is never missed by both: either matching sees the provider, or the snapshot sees the unfilled
# request and queues its re-match. Scoped to the schema, so separate deployments in one database do not contend.
_READ_MODEL_LOCK = "{fn}(hashtext(current_schema() || ':provider-read-model'))"
# The share-mode lock as an SQL expression, for statements that take it along with their own work.
READ_MODEL_LOCK_SHARED = _READ_MODEL_LOCK.format(fn="pg_advisory_xact_lock_shared")


async def lock_read_model_shared(conn: asyncpg.Connection) -> None:
    """Hold the read-model lock in share mode until the transaction ends (matching)."""
    await conn.execute(f"SELECT {READ_MODEL_LOCK_SHARED}")


async def lock_read_model_exclusive(conn: asyncpg.Connection) -> None:
    """Hold the read-model lock exclusively until the transaction ends (a provider snapshot)."""
    await conn.execute("SELECT " + _READ_MODEL_LOCK.format(fn="pg_advisory_xact_lock"))
