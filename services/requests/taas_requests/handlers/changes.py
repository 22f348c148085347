"""Telling agencies about a committed change: webhook deliveries and the live stream, in the change's transaction.

Deliveries are rows written in the same transaction as the change, so a committed change is always delivered
and a rolled-back one never is. The live stream is fed by NOTIFY, which PostgreSQL sends only at commit.
Both are written by the statement that stores the change (`repository.changes`); here they are only built.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from taas_kit import jsonutil
from taas_requests.api.webhook_models import WebhookEvent
from taas_requests.repository.changes import Notice
from taas_requests.settings import Channels


def notice(channels: Channels, *, agency_id: str, event_type: WebhookEvent, change: dict[str, Any],
           webhook_data: dict[str, Any] | None, now: datetime) -> Notice:
    """The webhook body and the stream's NOTIFY of one change, under a new event id."""
    event_id = uuid.uuid4()
    body = jsonutil.dumps_str({"id": str(event_id), "type": event_type.value, "created_at": now,
                               "data": webhook_data if webhook_data is not None else change})
    # The NOTIFY payload stays small (PostgreSQL caps it at 8000 bytes): the stream carries the change only.
    note = jsonutil.dumps_str({"id": str(event_id), "type": event_type.value, "agency_id": agency_id, "data": change})
    return Notice(channels.changes, channels.webhooks, agency_id, event_id, event_type.value, body, note)


def change_of(row: Mapping[str, Any], *, previous: str | None, cause: str, seq: int | None, occurred_at: datetime,
              timeline_id: int) -> dict[str, Any]:
    """The summary of a status change that the stream and webhooks carry."""
    return {"request_id": str(row["id"]), "agency_id": row["agency_id"], "kind": row["kind"],
            "status": row["status"], "previous_status": previous, "cause": cause, "seq": seq,
            "occurred_at": occurred_at, "timeline_id": timeline_id}
