"""API models of webhooks and their delivery log."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, UrlConstraints

from taas_requests.api.fields import Text

_IN = ConfigDict(extra="forbid")


class WebhookEvent(StrEnum):
    """What a webhook can be told about."""

    SUBMITTED = "request.submitted"
    STATUS_CHANGED = "request.status_changed"


WebhookUrl = Annotated[HttpUrl, UrlConstraints(max_length=2000, allowed_schemes=["http", "https"])]


class WebhookCreate(BaseModel):
    """A URL the agency wants its request changes POSTed to."""

    model_config = _IN

    url: WebhookUrl = Field(description="An http(s) URL that answers 2xx to accept a delivery.")
    events: list[WebhookEvent] = Field(default_factory=lambda: list(WebhookEvent), min_length=1, max_length=2,
                                       description="Which changes to deliver (default: all).")
    description: Text(200) = Field("", description="A note for the agency.")


class WebhookRead(BaseModel):
    """A registered webhook."""

    id: str = Field(description="The webhook's id.")
    agency_id: str = Field(description="Its agency.")
    url: str = Field(description="Where deliveries go.")
    events: list[WebhookEvent] = Field(description="What is delivered.")
    description: str = Field(description="A note for the agency.")
    created_at: datetime = Field(description="When it was registered.")
    secret: str | None = Field(None, description="The signing secret: shown only in the answer to its creation.")


class AttemptRead(BaseModel):
    """One try at delivering."""

    attempt: int = Field(description="1 for the first try.")
    at: datetime = Field(description="When it was made.")
    status_code: int | None = Field(description="The receiver's HTTP status, null when it could not be reached.")
    error: str | None = Field(description="What went wrong, if anything.")
    duration_ms: float = Field(description="How long the try took.")


class DeliveryRead(BaseModel):
    """One event delivered (or being delivered) to a webhook, with every attempt."""

    id: str = Field(description="The delivery's id.")
    event_id: str = Field(description="The delivered event's id (the `id` in the body, also `Taas-Event-Id`).")
    event_type: WebhookEvent = Field(description="What happened.")
    status: str = Field(description="`pending` (will be tried again), `delivered`, `failed` (gave up) or `abandoned`.")
    attempts: int = Field(description="How many tries were made.")
    next_attempt_at: datetime | None = Field(description="When the next try is due, while pending.")
    last_status_code: int | None = Field(description="HTTP status of the last try.")
    last_error: str | None = Field(description="Error of the last try.")
    created_at: datetime = Field(description="When the event was queued.")
    delivered_at: datetime | None = Field(description="When a try succeeded.")
    body: str = Field(description="The exact body sent (what the signature covers after the timestamp).")
    attempt_log: list[AttemptRead] = Field(description="Every try, oldest first.")


class DeliveryQuery(BaseModel):
    """Paging of the delivery log."""

    model_config = _IN

    status: str | None = Field(None, pattern="^(pending|delivered|failed|abandoned)$", description="Only this status.")
    limit: int = Field(50, ge=1, le=100, description="How many deliveries, newest first (at most 100).")
