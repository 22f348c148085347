"""Inbox: a processed-messages row written in the consumer's transaction, so a redelivery has no second effect."""

import asyncpg


async def claim(conn: asyncpg.Connection, consumer: str, event_id: str, topic: str, partition: int, offset: int) -> bool:
    """Record that `consumer` handles `event_id`; False if it was handled before (skip it)."""
    row = await conn.fetchval(
        """INSERT INTO processed_messages (consumer, event_id, topic, partition, "offset")
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1""",
        consumer, event_id, topic, partition, offset,
    )
    return row is not None
