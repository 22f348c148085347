"""Events the dispatch service publishes: offers, assignments and their lifecycle, unfilled requests, the log."""

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from taas_contracts.catalog import RequestKind, Role, Severity
from taas_contracts.envelope import EventPayload
from taas_contracts.topics import DISPATCH_EVENTS, DISPATCH_LOG


class DispatchEvent(EventPayload):
    """Base of events keyed by request id; `seq` orders them per request."""

    TOPIC: ClassVar[str] = DISPATCH_EVENTS.name

    request_id: str = Field(description="The coverage request (Kafka key).")
    agency_id: str = Field(description="The requesting agency.")
    seq: int = Field(ge=1, description="Per-request sequence number, monotonic, set by dispatch.")
    at: datetime = Field(description="When it happened.")


class RequestMatching(DispatchEvent):
    """Dispatch started (or restarted) matching the request."""

    EVENT_TYPE: ClassVar[str] = "taas.request.matching.v1"

    round: int = Field(1, description="Matching round (a released or unfilled request is matched again).")


class OfferCreated(DispatchEvent):
    """Work was offered to a provider with an answer deadline."""

    EVENT_TYPE: ClassVar[str] = "taas.offer.created.v1"

    offer_id: str = Field(description="The offer.")
    provider_id: str = Field(description="Who was offered the work.")
    expires_at: datetime = Field(description="Answer deadline.")
    rank: int = Field(description="The provider's rank among candidates (1 = best).")


class OfferAccepted(DispatchEvent):
    """The provider accepted an offer."""

    EVENT_TYPE: ClassVar[str] = "taas.offer.accepted.v1"

    offer_id: str = Field(description="The offer.")
    provider_id: str = Field(description="Who accepted.")


class OfferDeclined(DispatchEvent):
    """The provider declined an offer."""

    EVENT_TYPE: ClassVar[str] = "taas.offer.declined.v1"

    offer_id: str = Field(description="The offer.")
    provider_id: str = Field(description="Who declined.")
    reason: str = Field("", description="Why.")


class OfferExpired(DispatchEvent):
    """An offer's answer deadline passed."""

    EVENT_TYPE: ClassVar[str] = "taas.offer.expired.v1"

    offer_id: str = Field(description="The offer.")
    provider_id: str = Field(description="Who did not answer.")


class OfferWithdrawn(DispatchEvent):
    """An open offer was withdrawn (someone else accepted first, or the request was cancelled)."""

    EVENT_TYPE: ClassVar[str] = "taas.offer.withdrawn.v1"

    offer_id: str = Field(description="The offer.")
    provider_id: str = Field(description="Whose offer.")
    reason: str = Field(description="Why.")


class AssignmentCreated(DispatchEvent):
    """A provider was booked; carries everything billing needs."""

    EVENT_TYPE: ClassVar[str] = "taas.assignment.created.v1"

    assignment_id: str = Field(description="The assignment.")
    provider_id: str = Field(description="Who was booked.")
    provider_home_jurisdiction_id: str | None = Field(None, description="Lending jurisdiction, if staff.")
    provider_firm: str | None = Field(None, description="Firm, if independent.")
    rate_cents: int = Field(gt=0, description="Hourly rate fixed at assignment.")
    kind: RequestKind = Field(description="Incident or vacancy.")
    severity: Severity | None = Field(None, description="Incident severity.")
    role: Role = Field(description="Role of the work.")
    window_start: datetime = Field(description="Engagement window start.")
    window_end: datetime = Field(description="Engagement window end.")
    via: str = Field(description="`offer`, `on_call` or `manual`.")
    ack_deadline: datetime | None = Field(None, description="On-call: acknowledge before this time.")


class AssignmentAcknowledged(DispatchEvent):
    """An on-call provider acknowledged an assignment made at once."""

    EVENT_TYPE: ClassVar[str] = "taas.assignment.acknowledged.v1"

    assignment_id: str = Field(description="The assignment.")
    provider_id: str = Field(description="Who acknowledged.")


class AssignmentStarted(DispatchEvent):
    """The provider started work."""

    EVENT_TYPE: ClassVar[str] = "taas.assignment.started.v1"

    assignment_id: str = Field(description="The assignment.")
    provider_id: str = Field(description="Who started.")


class TimeEntry(BaseModel):
    """One logged stretch of work."""

    model_config = ConfigDict(extra="forbid")

    entry_id: str = Field(description="The time entry.")
    started_at: datetime = Field(description="Start (UTC).")
    ended_at: datetime = Field(description="End (UTC).")
    note: str = Field("", description="What was done.")


class TimeLogged(DispatchEvent):
    """The provider logged time on an assignment."""

    EVENT_TYPE: ClassVar[str] = "taas.assignment.time_logged.v1"

    assignment_id: str = Field(description="The assignment.")
    provider_id: str = Field(description="Who worked.")
    entry: TimeEntry = Field(description="The entry.")


class AssignmentCompleted(DispatchEvent):
    """The work is done; carries every time entry so billing can price it from this event alone."""

    EVENT_TYPE: ClassVar[str] = "taas.assignment.completed.v1"

    assignment_id: str = Field(description="The assignment.")
    provider_id: str = Field(description="Who did the work.")
    provider_home_jurisdiction_id: str | None = Field(None, description="Lending jurisdiction, if staff.")
    provider_firm: str | None = Field(None, description="Firm, if independent.")
    rate_cents: int = Field(gt=0, description="Hourly rate fixed at assignment.")
    kind: RequestKind = Field(description="Incident or vacancy.")
    severity: Severity | None = Field(None, description="Incident severity.")
    entries: list[TimeEntry] = Field(description="Every time entry of the assignment.")


class AssignmentReleased(DispatchEvent):
    """The provider is no longer on the request (released, cancelled, or acknowledgement missed)."""

    EVENT_TYPE: ClassVar[str] = "taas.assignment.released.v1"

    assignment_id: str = Field(description="The assignment.")
    provider_id: str = Field(description="Who was released.")
    reason: str = Field(description="Why.")
    by: str = Field(description="`provider`, `agency`, `ops` or `system`.")
    redispatch: bool = Field(description="True when the request is matched again.")


class RequestUnfilled(DispatchEvent):
    """No candidate is left; ops are alerted and the request is matched again when availability changes."""

    EVENT_TYPE: ClassVar[str] = "taas.request.unfilled.v1"

    reason: str = Field(description="Why nobody could be assigned.")
    candidates_considered: int = Field(description="How many candidates were tried.")


class DispatchLogRecorded(EventPayload):
    """One dispatch decision with its reasons (candidates, scores, exclusions, offers, answers, outcome)."""

    EVENT_TYPE: ClassVar[str] = "taas.dispatch.log_recorded.v1"
    TOPIC: ClassVar[str] = DISPATCH_LOG.name

    record_id: str = Field(description="The log record.")
    request_id: str = Field(description="The request it is about.")
    agency_id: str = Field(description="Its agency.")
    provider_id: str | None = Field(None, description="The provider it is about, if one.")
    step: str = Field(description="`decision`, `offer`, `answer`, `deadline`, `outcome` or `override`.")
    summary: str = Field(description="One human-readable line.")
    detail: dict[str, Any] = Field(default_factory=dict, description="Candidates, score breakdowns, exclusions.")
    at: datetime = Field(description="When.")
