"""Moving a request through the state machine: apply an event in memory, store the outcome, tell the agency."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg

from taas_contracts.catalog import RequestStatus
from taas_kit.logging import get_logger
from taas_requests.api.webhook_models import WebhookEvent
from taas_requests.domain import status as machine
from taas_requests.handlers import changes
from taas_requests.repository import changes as changes_repo
from taas_requests.settings import Channels

log = get_logger("taas.requests.progress")

_ASSIGNED_OR_LATER = {RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED}


def progress_of(row: Mapping[str, Any]) -> machine.RequestProgress:
    """What the state machine needs of a request row locked by `coverage.lock`."""
    return machine.RequestProgress(status=RequestStatus(row["status"]), last_seq=row["last_seq"],
                                   seen_event_ids=frozenset(row["seen_event_ids"]))


def advance(channels: Channels, row: Mapping[str, Any], event: machine.StatusEvent, detail: dict[str, Any],
            now: datetime, cancel_reason: str | None = None
            ) -> tuple[machine.Outcome, Mapping[str, Any], changes_repo.Progress | None]:
    """Apply an event to a locked request row in memory: the outcome, the row after it (ready for the request's next
    event) and what to store (None for a duplicate)."""
    outcome = machine.apply(progress_of(row), event)
    if outcome.verdict is machine.Verdict.DUPLICATE:
        return outcome, row, None
    if outcome.verdict is not machine.Verdict.APPLIED:
        log.warning("event not applied", request_id=str(row["id"]), event_id=event.event_id, event_type=event.type,
                    verdict=outcome.verdict.value, reason=outcome.reason, status=row["status"])
    moved = None
    if outcome.changed or outcome.progress.last_seq != row["last_seq"]:
        assigned_at = row["assigned_at"]
        if assigned_at is None and outcome.status in _ASSIGNED_OR_LATER:
            assigned_at = event.occurred_at.astimezone(UTC)  # as PostgreSQL gives timestamps back
        cancelled = outcome.changed and outcome.status is RequestStatus.CANCELLED
        moved = {**row, "status": outcome.status.value, "last_seq": outcome.progress.last_seq,
                 "assigned_at": assigned_at,
                 "cancelled_at": event.occurred_at.astimezone(UTC) if cancelled else row["cancelled_at"],
                 "cancel_reason": cancel_reason if cancelled else row["cancel_reason"], "updated_at": now}
        row = moved
    notice = None
    if outcome.changed:
        change = changes.change_of(row, previous=outcome.previous.value, cause=event.type, seq=event.seq,
                                   occurred_at=event.occurred_at, timeline_id=row["timeline_id"])
        notice = changes.notice(channels, agency_id=row["agency_id"], event_type=WebhookEvent.STATUS_CHANGED,
                                change=change, webhook_data=None, now=now)
    progress = changes_repo.Progress(row["id"], moved, row["timeline_id"], outcome.entry, detail, notice)
    return outcome, {**row, "seen_event_ids": outcome.progress.seen_event_ids}, progress


async def apply_event(conn: asyncpg.Connection, channels: Channels, row: Mapping[str, Any],
                      event: machine.StatusEvent, detail: dict[str, Any], now: datetime,
                      cancel_reason: str | None = None) -> tuple[machine.Outcome, Mapping[str, Any]]:
    """Apply an event to a request row locked by `coverage.lock`; returns the outcome and the row after it."""
    outcome, row, progress = advance(channels, row, event, detail, now, cancel_reason)
    if progress is not None:
        await changes_repo.record_progress(conn, progress)
    return outcome, row
