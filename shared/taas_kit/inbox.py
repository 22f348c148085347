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


async def claim_many(conn: asyncpg.Connection, consumer: str, messages: list[tuple[str, str, int, int]]) -> set[str]:
    """Record (event_id, topic, partition, offset) messages in one statement; the ids not handled before."""
    ids, topics, partitions, offsets = (list(column) for column in zip(*messages, strict=True))
    rows = await conn.fetch(
        """INSERT INTO processed_messages (consumer, event_id, topic, partition, "offset")
           SELECT $1, e, t, p, o FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[]) AS m(e, t, p, o)
           ON CONFLICT DO NOTHING RETURNING event_id""",
        consumer, ids, topics, partitions, offsets,
    )
    return {r["event_id"] for r in rows}
