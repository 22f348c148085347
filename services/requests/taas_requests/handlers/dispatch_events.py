"""Use case of the dispatch events consumer: move a request's status and append its timeline."""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from taas_contracts.envelope import Envelope
from taas_contracts.events import parse_payload
from taas_contracts.events.dispatch import DispatchEvent
from taas_kit.logging import bound, get_logger
from taas_requests.domain import status as machine
from taas_requests.handlers.progress import advance, apply_event
from taas_requests.repository import changes as changes_repo
from taas_requests.repository import coverage as coverage_repo
from taas_requests.repository import timeline as timeline_repo
from taas_requests.settings import Channels

log = get_logger("taas.requests.dispatch_events")

_COMMON = {"request_id", "agency_id", "seq", "at"}
_NOTE_FIELDS = ("reason", "provider_id")


def handles(event_type: str) -> bool:
    """Whether the event is one that moves or annotates a request."""
    name = machine.event_name(event_type)
    return name in machine.TARGET_OF_EVENT or name in machine.STEP_EVENTS


async def on_dispatch_event(conn: asyncpg.Connection, channels: Channels,
                            envelope: Envelope) -> machine.Verdict | None:
    """Apply one dispatch event inside the consumer's transaction; unknown requests are recorded, not retried."""
    payload = _payload(envelope)
    if payload is None:
        return None
    request_id = _uuid(payload.request_id)
    row = await coverage_repo.lock(conn, request_id) if request_id else None
    if await _orphaned(conn, envelope, payload, row):
        return None
    event, detail = _status_event(envelope, payload)
    outcome, _ = await apply_event(conn, channels, row, event, detail, datetime.now(UTC))
    return outcome.verdict


async def on_dispatch_events(conn: asyncpg.Connection, channels: Channels,
                             envelopes: list[Envelope]) -> list[machine.Verdict | None]:
    """Apply dispatch events in order inside the consumer's transaction, as `on_dispatch_event` one after the other
    would, in two round trips: one locks every request they name, one stores every change."""
    payloads = [_payload(envelope) for envelope in envelopes]  # a ValidationError fails the batch (one by one then)
    request_ids = [_uuid(p.request_id) if p else None for p in payloads]
    named = [request_id for request_id in request_ids if request_id]
    locked = await coverage_repo.lock_many(conn, named) if named else []
    rows: dict[UUID, dict[str, Any]] = {row["id"]: dict(row) for row in locked}
    reserved: dict[UUID, Iterator[int]] = {row["id"]: iter(row["timeline_ids"]) for row in locked}
    now = datetime.now(UTC)
    verdicts: list[machine.Verdict | None] = []
    progresses: list[changes_repo.Progress] = []
    for envelope, payload, request_id in zip(envelopes, payloads, request_ids, strict=True):
        verdicts.append(None)
        if payload is None:
            continue
        # Bound as the kit binds a message handled alone, so what is logged here reads the same.
        with bound(event_id=envelope.id, event_type=envelope.type, correlation_id=envelope.correlationid):
            row = rows.get(request_id)
            if await _orphaned(conn, envelope, payload, row):
                continue
            row["timeline_id"] = next(reserved[request_id])
            event, detail = _status_event(envelope, payload)
            outcome, rows[request_id], progress = advance(channels, row, event, detail, now)
        verdicts[-1] = outcome.verdict
        if progress is not None:
            progresses.append(progress)
    if progresses:
        await changes_repo.record_progress_many(conn, progresses)
    return verdicts


def _payload(envelope: Envelope) -> DispatchEvent | None:
    """The event's payload if it is one this use case applies (a ValidationError dead-letters it with its reason)."""
    if not handles(envelope.type) or machine.event_name(envelope.type) == machine.CANCEL:
        return None
    payload = parse_payload(envelope)
    return payload if isinstance(payload, DispatchEvent) else None


async def _orphaned(conn: asyncpg.Connection, envelope: Envelope, payload: DispatchEvent,
                    row: Mapping[str, Any] | None) -> bool:
    """Whether the event cannot be applied to `row` (unknown request, other agency); if so, it is kept for ops."""
    if row is not None and row["agency_id"] == payload.agency_id:
        return False
    reason = "unknown request" if row is None else "agency does not match the request's agency"
    # Not poison: the event may be ahead of (or about) a request this instance never stored; keep it for ops.
    log.warning("dispatch event for a request we cannot apply it to", request_id=payload.request_id, reason=reason)
    await timeline_repo.record_orphan(conn, event_id=envelope.id, request_id=payload.request_id,
                                      agency_id=payload.agency_id, event_type=envelope.type, reason=reason,
                                      envelope=envelope.model_dump(mode="json"))
    return True


def _status_event(envelope: Envelope, payload: DispatchEvent) -> tuple[machine.StatusEvent, dict[str, Any]]:
    """What the state machine reads of a dispatch event, and the detail its timeline entry keeps."""
    detail = payload.model_dump(mode="json", exclude=_COMMON)
    note = "; ".join(f"{k}: {detail[k]}" for k in _NOTE_FIELDS if detail.get(k)) or None
    event = machine.StatusEvent(envelope.id, envelope.type, payload.at, payload.seq, note=note,
                                redispatch=getattr(payload, "redispatch", True))
    return event, detail


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
