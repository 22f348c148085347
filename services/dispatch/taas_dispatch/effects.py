"""What one change to a request emits: dispatch events with the request's next seq, and dispatch-log records."""

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from taas_contracts.envelope import new_event_id
from taas_contracts.events.dispatch import DispatchEvent, DispatchLogRecorded
from taas_contracts.topics import DISPATCH_EVENTS, DISPATCH_LOG
from taas_dispatch.domain.offers import Offer
from taas_dispatch.repository import changes
from taas_dispatch.settings import DispatchSettings

SOURCE = "/taas/dispatch"


def log_channel(schema: str) -> str:
    """The NOTIFY channel that wakes the dispatch-log stream (a trigger on dispatch_log sends it)."""
    return f"taas_dispatch_log_{schema}"


class Effects:
    """Collects the events and log records of one transaction on one request; `flush` writes them."""

    def __init__(self, settings: DispatchSettings, request_id: str, agency_id: str, seq: int, now: datetime,
                 causation_id: str | None = None) -> None:
        self.settings, self.request_id, self.agency_id = settings, request_id, agency_id
        self.seq, self.now, self.causation_id = seq, now, causation_id
        self._events: list[tuple[str, str, dict[str, Any]]] = []
        self._records: list[dict[str, Any]] = []
        self._offers: list[tuple[Offer, int, int]] = []

    def _envelope(self, event_type: str, data: dict[str, Any], event_id: str) -> dict[str, Any]:
        """A CloudEvents envelope in its JSON form (what Envelope.model_dump(mode="json") gives, minus Nones)."""
        doc = {"specversion": "1.0", "id": event_id, "type": event_type, "source": SOURCE,
               "time": self.now.isoformat(), "subject": self.request_id, "datacontenttype": "application/json",
               "tenant": self.agency_id, "correlationid": self.request_id, "data": data}
        if self.causation_id is not None:
            doc["causationid"] = self.causation_id
        return doc

    def event(self, model: type[DispatchEvent], **fields: Any) -> None:
        """Add a dispatch event (validated by its model); request id, agency, seq and time are filled in."""
        self.seq += 1
        payload = model(request_id=self.request_id, agency_id=self.agency_id, seq=self.seq, at=self.now, **fields)
        envelope = self._envelope(model.EVENT_TYPE, payload.model_dump(mode="json"), new_event_id())
        self._events.append((self.settings.topic(DISPATCH_EVENTS), self.request_id, envelope))

    def log(self, step: str, summary: str, *, provider_id: str | None = None,
            detail: dict[str, Any] | None = None) -> None:
        """Add a dispatch-log record; `detail` must be JSON-ready (it is stored and published as it is)."""
        self._records.append({
            "record_id": str(uuid.uuid4()), "request_id": self.request_id, "agency_id": self.agency_id,
            "provider_id": provider_id, "step": step, "summary": summary, "detail": detail or {}, "at": self.now,
        })

    def offers(self, offers: list[tuple[Offer, int, int]]) -> None:
        """Add new offers as (offer, round number, rank); `flush` stores them with their answer deadlines."""
        self._offers.extend(offers)

    def mark(self) -> tuple[int, int, int, int]:
        """A point to roll the collected effects back to (see `reset`)."""
        return (self.seq, len(self._events), len(self._records), len(self._offers))

    def reset(self, mark: tuple[int, int, int, int]) -> None:
        """Forget what was collected after `mark` (its savepoint was rolled back)."""
        self.seq = mark[0]
        del self._events[mark[1]:]
        del self._records[mark[2]:]
        del self._offers[mark[3]:]

    def log_envelope(self, record: dict[str, Any]) -> dict[str, Any]:
        """The DispatchLogRecorded envelope of a record (built by hand: the detail is large and JSON-ready)."""
        data = {**record, "at": record["at"].isoformat()}
        return self._envelope(DispatchLogRecorded.EVENT_TYPE, data, record["record_id"])

    async def flush(self, conn: asyncpg.Connection, request: dict[str, Any] | None = None) -> None:
        """Write the offers, events, log records and the request row (when given) as one statement."""
        rows = list(self._events)
        log_topic = self.settings.topic(DISPATCH_LOG)
        rows.extend((log_topic, self.request_id, self.log_envelope(record)) for record in self._records)
        # A trigger on dispatch_log wakes the live stream.
        await changes.write(conn, self.settings.db_schema, self._records, rows, request, self._offers)
        self._events.clear()
        self._records.clear()
        self._offers.clear()
