"""What one change to a request emits: dispatch events with the request's next seq, and dispatch-log records."""

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from taas_contracts.events.dispatch import DispatchEvent, DispatchLogRecorded
from taas_contracts.topics import DISPATCH_EVENTS, DISPATCH_LOG
from taas_dispatch.repository import log as log_repo
from taas_dispatch.settings import DispatchSettings
from taas_kit import outbox

SOURCE = "/taas/dispatch"


def log_channel(schema: str) -> str:
    """The NOTIFY channel that wakes the dispatch-log stream."""
    return f"taas_dispatch_log_{schema}"


class Effects:
    """Collects the events and log records of one transaction on one request; `flush` writes them."""

    def __init__(self, settings: DispatchSettings, request_id: str, agency_id: str, seq: int, now: datetime,
                 causation_id: str | None = None) -> None:
        self.settings, self.request_id, self.agency_id = settings, request_id, agency_id
        self.seq, self.now, self.causation_id = seq, now, causation_id
        self._events: list = []
        self._records: list[dict[str, Any]] = []

    def event(self, model: type[DispatchEvent], **fields: Any) -> None:
        """Add a dispatch event; request id, agency, seq and time are filled in."""
        self.seq += 1
        payload = model(request_id=self.request_id, agency_id=self.agency_id, seq=self.seq, at=self.now, **fields)
        envelope = payload.envelope(source=SOURCE, subject=self.request_id, tenant=self.agency_id,
                                    correlationid=self.request_id, causationid=self.causation_id, time=self.now)
        self._events.append((self.settings.topic(DISPATCH_EVENTS), self.request_id, envelope))

    def log(self, step: str, summary: str, *, provider_id: str | None = None,
            detail: dict[str, Any] | None = None) -> None:
        """Add a dispatch-log record."""
        self._records.append({
            "record_id": str(uuid.uuid4()), "request_id": self.request_id, "agency_id": self.agency_id,
            "provider_id": provider_id, "step": step, "summary": summary, "detail": detail or {}, "at": self.now,
        })

    def mark(self) -> tuple[int, int, int]:
        """A point to roll the collected effects back to (see `reset`)."""
        return (self.seq, len(self._events), len(self._records))

    def reset(self, mark: tuple[int, int, int]) -> None:
        """Forget what was collected after `mark` (its savepoint was rolled back)."""
        self.seq = mark[0]
        del self._events[mark[1]:]
        del self._records[mark[2]:]

    @property
    def events(self) -> list:
        """The (topic, key, envelope) triples collected so far."""
        return list(self._events)

    async def flush(self, conn: asyncpg.Connection) -> None:
        """Write the events and log records in the caller's transaction."""
        rows = list(self._events)
        for record in self._records:
            payload = DispatchLogRecorded(**record)
            envelope = payload.envelope(source=SOURCE, subject=self.request_id, tenant=self.agency_id,
                                        correlationid=self.request_id, causationid=self.causation_id,
                                        id=record["record_id"], time=self.now)
            rows.append((self.settings.topic(DISPATCH_LOG), self.request_id, envelope))
        if self._records:
            await log_repo.insert(conn, self._records)  # a trigger wakes the live stream
        await outbox.add(conn, self.settings.db_schema, rows)
        self._events.clear()
        self._records.clear()
