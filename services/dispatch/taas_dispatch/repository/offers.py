"""Offers: one row per offer of a request to a provider, in the order they were made."""

import asyncpg

from taas_dispatch.domain.offers import Offer, OfferStatus


def to_offer(row: asyncpg.Record) -> Offer:
    """The domain offer of a row."""
    return Offer(row["offer_id"], row["request_id"], row["provider_id"], row["created_at"], row["expires_at"],
                 OfferStatus(row["status"]), row["closed_at"], row["decline_reason"])


async def update(conn: asyncpg.Connection, offers: list[Offer]) -> None:
    """Write back the state of changed offers."""
    await conn.executemany(
        "UPDATE offers SET status = $2, closed_at = $3, decline_reason = $4 WHERE offer_id = $1",
        [(o.offer_id, str(o.status), o.closed_at, o.decline_reason) for o in offers],
    )


async def of_round(conn: asyncpg.Connection, request_id: str, round_number: int) -> list[asyncpg.Record]:
    """The offers of one round of a request, in the order they were made."""
    return await conn.fetch(
        "SELECT * FROM offers WHERE request_id = $1 AND round_number = $2 ORDER BY position",
        request_id, round_number,
    )


async def get(conn: asyncpg.Connection, offer_id: str) -> asyncpg.Record | None:
    """One offer row."""
    return await conn.fetchrow("SELECT * FROM offers WHERE offer_id = $1", offer_id)


async def for_provider(conn: asyncpg.Connection, provider_id: str, status: str | None, limit: int) -> list[asyncpg.Record]:
    """A provider's offers, newest first, optionally of one status."""
    return await conn.fetch(
        """SELECT o.*, r.agency_id, r.kind, r.severity, r.role, r.window_start, r.window_end,
                  r.submitted ->> 'description' AS description
           FROM offers AS o JOIN requests AS r USING (request_id)
           WHERE o.provider_id = $1 AND ($2::text IS NULL OR o.status = $2)
           ORDER BY o.created_at DESC LIMIT $3""",
        provider_id, status, limit,
    )
