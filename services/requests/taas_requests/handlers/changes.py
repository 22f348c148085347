"""Telling agencies about a committed change: webhook deliveries and the live stream, in the change's transaction.

Deliveries are rows written in the same transaction as the change, so a committed change is always delivered
and a rolled-back one never is. The live stream is fed by NOTIFY, which PostgreSQL sends only at commit.
"""

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from taas_kit import jsonutil
from taas_requests.api.webhook_models import WebhookEvent
from taas_requests.repository import webhooks as webhooks_repo


async def publish(conn: asyncpg.Connection, channel: str, *, agency_id: str, event_type: WebhookEvent,
                  change: dict[str, Any], webhook_data: dict[str, Any] | None, now: datetime) -> uuid.UUID:
    """Queue the webhook deliveries of one change and notify the stream at commit; returns the event id."""
    event_id = uuid.uuid4()
    body = jsonutil.dumps_str({"id": str(event_id), "type": event_type.value, "created_at": now,
                               "data": webhook_data if webhook_data is not None else change})
    await webhooks_repo.enqueue(conn, agency_id, event_id, event_type.value, body)
    # The NOTIFY payload stays small (PostgreSQL caps it at 8000 bytes): the stream carries the change only.
    note = {"id": str(event_id), "type": event_type.value, "agency_id": agency_id, "data": change}
    await conn.execute("SELECT pg_notify($1, $2)", channel, jsonutil.dumps_str(note))
    return event_id


def change_of(row: asyncpg.Record, *, previous: str | None, cause: str, seq: int | None, occurred_at: datetime,
              timeline_id: int) -> dict[str, Any]:
    """The summary of a status change that the stream and webhooks carry."""
    return {"request_id": str(row["id"]), "agency_id": row["agency_id"], "kind": row["kind"],
            "status": row["status"], "previous_status": previous, "cause": cause, "seq": seq,
            "occurred_at": occurred_at, "timeline_id": timeline_id}
