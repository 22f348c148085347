"""The event envelope: CloudEvents 1.0 attribute names plus tenant, correlation id and causation id."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field


def new_event_id() -> str:
    """A fresh unique event id."""
    return str(uuid4())


class Envelope(BaseModel):
    """One event as it travels on Kafka (structured-mode CloudEvents JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: str = Field("1.0", description="CloudEvents spec version.")
    id: str = Field(default_factory=new_event_id, description="Unique event id; consumers dedupe on it.")
    type: str = Field(description="Event type with version, e.g. `taas.request.submitted.v1`.")
    source: str = Field(description="URI reference of the producing service, e.g. `/taas/requests`.")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC), description="When the change happened (UTC).")
    subject: str | None = Field(None, description="The aggregate the event is about (request, provider, agency id).")
    datacontenttype: str = Field("application/json", description="Media type of `data`.")
    tenant: str | None = Field(None, description="The agency the event belongs to, when it belongs to one.")
    correlationid: str | None = Field(None, description="The coverage request this event belongs to.")
    causationid: str | None = Field(None, description="Id of the event that caused this one.")
    data: dict[str, Any] = Field(default_factory=dict, description="The event payload (see the payload models).")


class EventPayload(BaseModel):
    """Base of every payload model; each subclass sets EVENT_TYPE (with version) and TOPIC."""

    model_config = ConfigDict(extra="forbid")

    EVENT_TYPE: str = ""
    TOPIC: str = ""

    def envelope(
        self,
        *,
        source: str,
        subject: str | None = None,
        tenant: str | None = None,
        correlationid: str | None = None,
        causationid: str | None = None,
        id: str | None = None,
        time: datetime | None = None,
    ) -> Envelope:
        """Wrap this payload in an envelope."""
        extra: dict[str, Any] = {}
        if id is not None:
            extra["id"] = id
        if time is not None:
            extra["time"] = time
        return Envelope(
            type=self.EVENT_TYPE,
            source=source,
            subject=subject,
            tenant=tenant,
            correlationid=correlationid,
            causationid=causationid,
            data=self.model_dump(mode="json"),
            **extra,
        )
