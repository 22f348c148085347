"""Moving a request through the state machine: apply one event, store the outcome, tell the agency."""

from datetime import datetime
from typing import Any

import asyncpg

from taas_contracts.catalog import RequestStatus
from taas_kit.logging import get_logger
from taas_requests.api.webhook_models import WebhookEvent
from taas_requests.domain import status as machine
from taas_requests.handlers import changes
from taas_requests.repository import coverage as coverage_repo
from taas_requests.repository import timeline as timeline_repo

log = get_logger("taas.requests.progress")

_ASSIGNED_OR_LATER = {RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED}


async def progress_of(conn: asyncpg.Connection, row: asyncpg.Record) -> machine.RequestProgress:
    """What the state machine needs of a (locked) request row."""
    return machine.RequestProgress(status=RequestStatus(row["status"]), last_seq=row["last_seq"],
                                   seen_event_ids=await timeline_repo.seen_event_ids(conn, row["id"]))


async def apply_event(conn: asyncpg.Connection, channel: str, row: asyncpg.Record, event: machine.StatusEvent,
                      detail: dict[str, Any], now: datetime, cancel_reason: str | None = None
                      ) -> tuple[machine.Outcome, asyncpg.Record]:
    """Apply an event to a request row locked FOR UPDATE; returns the outcome and the row after it."""
    outcome = machine.apply(await progress_of(conn, row), event)
    if outcome.verdict is machine.Verdict.DUPLICATE:
        return outcome, row
    if outcome.verdict is not machine.Verdict.APPLIED:
        log.warning("event not applied", request_id=str(row["id"]), event_id=event.event_id, event_type=event.type,
                    verdict=outcome.verdict.value, reason=outcome.reason, status=row["status"])
    if outcome.changed or outcome.progress.last_seq != row["last_seq"]:
        assigned_at = row["assigned_at"]
        if assigned_at is None and outcome.status in _ASSIGNED_OR_LATER:
            assigned_at = event.occurred_at
        cancelled = outcome.changed and outcome.status is RequestStatus.CANCELLED
        row = await coverage_repo.set_progress(
            conn, row["id"], status=outcome.status.value, last_seq=outcome.progress.last_seq, assigned_at=assigned_at,
            cancelled_at=event.occurred_at if cancelled else row["cancelled_at"],
            cancel_reason=cancel_reason if cancelled else row["cancel_reason"], now=now,
        )
    entry = outcome.entry
    timeline_id = await timeline_repo.append(
        conn, row["id"], event_id=entry.event_id, event_type=entry.event_type, seq=entry.seq,
        occurred_at=entry.occurred_at, from_status=entry.from_status.value, to_status=entry.to_status.value,
        verdict=entry.verdict.value, reason=entry.reason, detail=detail,
    )
    if outcome.changed:
        change = changes.change_of(row, previous=outcome.previous.value, cause=event.type, seq=event.seq,
                                   occurred_at=event.occurred_at, timeline_id=timeline_id)
        await changes.publish(conn, channel, agency_id=row["agency_id"], event_type=WebhookEvent.STATUS_CHANGED,
                              change=change, webhook_data=None, now=now)
    return outcome, row
