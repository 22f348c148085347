"""Use case of the dispatch events consumer: move a request's status and append its timeline."""

from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from taas_contracts.envelope import Envelope
from taas_contracts.events import parse_payload
from taas_contracts.events.dispatch import DispatchEvent
from taas_kit.logging import get_logger
from taas_requests.domain import status as machine
from taas_requests.handlers.progress import apply_event
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
    if not handles(envelope.type) or machine.event_name(envelope.type) == machine.CANCEL:
        return None
    payload = parse_payload(envelope)  # a ValidationError dead-letters the message with its reason
    if not isinstance(payload, DispatchEvent):
        return None
    request_id = _uuid(payload.request_id)
    row = await coverage_repo.lock(conn, request_id) if request_id else None
    if row is None or row["agency_id"] != payload.agency_id:
        reason = "unknown request" if row is None else "agency does not match the request's agency"
        # Not poison: the event may be ahead of (or about) a request this instance never stored; keep it for ops.
        log.warning("dispatch event for a request we cannot apply it to", request_id=payload.request_id, reason=reason)
        await timeline_repo.record_orphan(conn, event_id=envelope.id, request_id=payload.request_id,
                                          agency_id=payload.agency_id, event_type=envelope.type, reason=reason,
                                          envelope=envelope.model_dump(mode="json"))
        return None
    detail = payload.model_dump(mode="json", exclude=_COMMON)
    note = "; ".join(f"{k}: {detail[k]}" for k in _NOTE_FIELDS if detail.get(k)) or None
    event = machine.StatusEvent(envelope.id, envelope.type, payload.at, payload.seq, note=note,
                                redispatch=getattr(payload, "redispatch", True))
    outcome, _ = await apply_event(conn, channels, row, event, detail, datetime.now(UTC))
    return outcome.verdict


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
