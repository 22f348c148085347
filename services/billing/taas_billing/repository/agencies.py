"""The agencies read model, fed by agency snapshots."""

import asyncpg

from taas_contracts.events.requests import AgencySnapshot


async def lock(conn: asyncpg.Connection, agency_id: str) -> None:
    """Serialise billing work per agency until the transaction ends (budget totals, pending work)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('taas-billing-agency:' || $1))", agency_id)


async def upsert(conn: asyncpg.Connection, snap: AgencySnapshot, event_id: str) -> bool:
    """Store a snapshot unless a newer (or the same) version is stored; True if applied."""
    applied = await conn.fetchval(
        """INSERT INTO agencies (agency_id, name, time_zone, business_days, opens, closes, monthly_budget_cap_cents,
                                 active, version, source_event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (agency_id) DO UPDATE SET
               name = EXCLUDED.name, time_zone = EXCLUDED.time_zone, business_days = EXCLUDED.business_days,
               opens = EXCLUDED.opens, closes = EXCLUDED.closes,
               monthly_budget_cap_cents = EXCLUDED.monthly_budget_cap_cents, active = EXCLUDED.active,
               version = EXCLUDED.version, source_event_id = EXCLUDED.source_event_id, updated_at = now()
           WHERE agencies.version < EXCLUDED.version
           RETURNING 1""",
        snap.agency_id, snap.name, snap.time_zone, sorted(set(snap.business_hours.days)), snap.business_hours.start,
        snap.business_hours.end, snap.monthly_budget_cap_cents, snap.active, snap.version, event_id,
    )
    return applied is not None


async def get(conn: asyncpg.Connection, agency_id: str) -> asyncpg.Record | None:
    """One agency's stored state, or None before its first snapshot."""
    return await conn.fetchrow("SELECT * FROM agencies WHERE agency_id = $1", agency_id)
