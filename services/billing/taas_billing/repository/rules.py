"""Rate rules (versioned) and interlocal agreements: pricing data managed through the API."""

import uuid
from decimal import Decimal

import asyncpg

from taas_billing.domain.interlocal import FeeSchedule, InterlocalAgreement
from taas_billing.domain.pricing import RateRules


async def current(conn: asyncpg.Connection) -> asyncpg.Record:
    """The rate rules in force (the highest version; the seed migration writes version 1)."""
    return await conn.fetchrow("SELECT * FROM rate_rules ORDER BY version DESC LIMIT 1")


def to_domain(row: asyncpg.Record) -> RateRules:
    """The pricing rules of a stored version."""
    return RateRules(
        callout_minimum_minutes=row["callout_minimum_minutes"],
        critical_multiplier=Decimal(row["critical_multiplier"]),
        after_hours_multiplier=Decimal(row["after_hours_multiplier"]),
        stack_multipliers=row["stack_multipliers"],
    )


async def add_version(conn: asyncpg.Connection, *, callout_minimum_minutes: int, critical_multiplier: Decimal,
                      after_hours_multiplier: Decimal, stack_multipliers: bool, pool_fee_bps: int,
                      changed_by: str) -> asyncpg.Record:
    """Store a new version of the rules; concurrent writers are serialised by the table lock."""
    await conn.execute("LOCK TABLE rate_rules IN SHARE ROW EXCLUSIVE MODE")
    return await conn.fetchrow(
        """INSERT INTO rate_rules (version, callout_minimum_minutes, critical_multiplier, after_hours_multiplier,
                                   stack_multipliers, pool_fee_bps, changed_by)
           SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4, $5, $6 FROM rate_rules
           RETURNING *""",
        callout_minimum_minutes, critical_multiplier, after_hours_multiplier, stack_multipliers, pool_fee_bps,
        changed_by,
    )


async def agreements(conn: asyncpg.Connection, jurisdiction: str | None = None) -> list[asyncpg.Record]:
    """Interlocal agreements, optionally those one jurisdiction is party to."""
    return await conn.fetch(
        """SELECT * FROM interlocal_agreements
           WHERE $1::text IS NULL OR jurisdiction_a = $1 OR jurisdiction_b = $1
           ORDER BY jurisdiction_a, jurisdiction_b""",
        jurisdiction,
    )


async def add_agreement(conn: asyncpg.Connection, a: str, b: str, fee_bps: int, note: str,
                        created_by: str) -> asyncpg.Record | None:
    """Store an agreement between two jurisdictions; None if the pair already has one."""
    low, high = sorted((a, b))
    return await conn.fetchrow(
        """INSERT INTO interlocal_agreements (agreement_id, jurisdiction_a, jurisdiction_b, fee_bps, note, created_by)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (jurisdiction_a, jurisdiction_b) DO NOTHING RETURNING *""",
        uuid.uuid4(), low, high, fee_bps, note, created_by,
    )


async def fee_schedule(conn: asyncpg.Connection, default_fee_bps: int, requesting: str,
                       lending: str | None) -> FeeSchedule:
    """The fee schedule for one pair of jurisdictions (only the agreement that can apply is loaded)."""
    if lending is None or lending == requesting:
        return FeeSchedule(default_fee_bps)
    low, high = sorted((requesting, lending))
    row = await conn.fetchrow(
        "SELECT fee_bps FROM interlocal_agreements WHERE jurisdiction_a = $1 AND jurisdiction_b = $2", low, high,
    )
    agreements = (InterlocalAgreement(low, high, row["fee_bps"]),) if row else ()
    return FeeSchedule(default_fee_bps, agreements)
