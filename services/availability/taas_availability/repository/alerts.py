"""SQL of the credential alerts raised (one per credential per expiry date)."""

from datetime import date

import asyncpg


async def claim(conn: asyncpg.Connection, provider_id: str, kind: str, credential: str, expires_on: date) -> bool:
    """Record that this alert is raised; False if it was raised before (by this or another instance)."""
    row = await conn.fetchval(
        """INSERT INTO credential_alerts (provider_id, kind, credential, expires_on) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING RETURNING 1""",
        provider_id, kind, credential, expires_on,
    )
    return row is not None
