"""API models: inputs refuse unknown fields; every field is described."""

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

OfferStatusName = Literal["pending", "accepted", "declined", "expired", "withdrawn"]
AssignmentStatusName = Literal["assigned", "acknowledged", "started", "completed", "released"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfferQuery(_Input):
    """Filters of a provider's offers."""

    status: OfferStatusName | None = Field(None, description="Only offers in this status.")
    limit: int = Field(50, ge=1, le=500, description="At most this many, newest first.")


class OfferRead(BaseModel):
    """An offer as its provider sees it."""

    offer_id: str = Field(description="The offer.")
    request_id: str = Field(description="The coverage request.")
    agency_id: str = Field(description="The requesting agency.")
    kind: str | None = Field(description="Incident or vacancy.")
    severity: str | None = Field(description="Incident severity.")
    role: str | None = Field(description="Role of the work.")
    window_start: datetime | None = Field(description="Engagement window start.")
    window_end: datetime | None = Field(description="Engagement window end.")
    description: str | None = Field(description="The agency's description.")
    rank: int = Field(description="Your rank among the candidates (1 = best).")
    status: OfferStatusName = Field(description="Where the offer stands.")
    created_at: datetime = Field(description="When it was offered.")
    expires_at: datetime = Field(description="Answer deadline.")
    closed_at: datetime | None = Field(description="When it was answered, expired or withdrawn.")
    decline_reason: str | None = Field(description="Why it was declined.")


class DeclineCreate(_Input):
    """A provider's decline of an offer."""

    reason: str = Field(min_length=1, max_length=500, description="Why you decline (shown to ops).")


class AnswerRead(BaseModel):
    """The result of an answer."""

    offer_id: str = Field(description="The offer.")
    request_id: str = Field(description="The coverage request.")
    status: OfferStatusName = Field(description="The offer's status now.")
    assignment_id: str | None = Field(None, description="Your assignment, when an accept was booked.")


class AssignmentQuery(_Input):
    """Filters of assignments."""

    status: AssignmentStatusName | None = Field(None, description="Only assignments in this status.")
    provider_id: str | None = Field(None, max_length=200, description="Ops: only this provider's.")
    limit: int = Field(50, ge=1, le=500, description="At most this many, newest first.")


class TimeEntryRead(BaseModel):
    """A logged stretch of work."""

    entry_id: str = Field(description="The time entry.")
    started_at: datetime = Field(description="Start.")
    minutes: int = Field(description="Length in minutes.")
    note: str = Field(description="What was done.")


class AssignmentRead(BaseModel):
    """An assignment and its lifecycle."""

    assignment_id: str = Field(description="The assignment.")
    request_id: str = Field(description="The coverage request.")
    agency_id: str = Field(description="The requesting agency.")
    provider_id: str = Field(description="Who was booked.")
    via: str = Field(description="`offer`, `on_call` or `manual`.")
    status: AssignmentStatusName = Field(description="Where it stands.")
    assigned_at: datetime = Field(description="When the provider was booked.")
    acknowledge_by: datetime | None = Field(description="On-call: acknowledge before this time.")
    acknowledged_at: datetime | None = Field(description="When acknowledged.")
    started_at: datetime | None = Field(description="When work started.")
    ended_at: datetime | None = Field(description="When it completed or was released.")
    release_cause: str | None = Field(description="Who or what released it.")
    release_reason: str | None = Field(description="Why it was released.")
    rate_cents: int = Field(description="Hourly rate fixed at assignment, in cents.")
    window_start: datetime = Field(description="Engagement window start.")
    window_end: datetime = Field(description="Engagement window end.")
    time_entries: list[TimeEntryRead] = Field(default_factory=list, description="Logged time.")


class TimeEntryCreate(_Input):
    """A stretch of work to log."""

    started_at: AwareDatetime = Field(description="Start, with its UTC offset.")
    minutes: int = Field(gt=0, le=24 * 60, description="Length in minutes.")
    note: str = Field("", max_length=2000, description="What was done.")
    entry_id: str | None = Field(None, min_length=1, max_length=100,
                                 description="Your id for the entry (a retry with the same id is refused).")


class CompleteCreate(_Input):
    """Finishing an assignment (the body may be left out)."""

    no_time_logged: bool = Field(False, description="True to complete with no time entry, knowing nothing is billed.")


class ReleaseCreate(_Input):
    """Giving an assignment back."""

    reason: str = Field(min_length=1, max_length=500, description="Why.")


class ManualAssignCreate(_Input):
    """Ops assigning a provider by hand."""

    provider_id: str = Field(min_length=1, max_length=200, description="Who to book.")
    reason: str = Field(min_length=1, max_length=500, description="Why the override (logged).")


class ManualAssignRead(BaseModel):
    """The booking ops made."""

    request_id: str = Field(description="The coverage request.")
    assignment_id: str = Field(description="The new assignment.")


class LogQuery(_Input):
    """Filters of the dispatch log."""

    request_id: str | None = Field(None, max_length=200, description="Only this request.")
    provider_id: str | None = Field(None, max_length=200, description="Only records about this provider.")
    agency_id: str | None = Field(None, max_length=200, description="Only this agency's requests.")
    since: AwareDatetime | None = Field(None, description="At or after this time.")
    until: AwareDatetime | None = Field(None, description="Before this time.")
    cursor: int | None = Field(None, ge=1, description="`next_cursor` of the previous page.")
    limit: int = Field(100, ge=1, le=1000, description="Page size.")


class LogRecordRead(BaseModel):
    """One dispatch decision with its reasons."""

    id: int = Field(description="Position in the log (cursor).")
    record_id: str = Field(description="The record (also the event id on the log topic).")
    request_id: str = Field(description="The request.")
    agency_id: str = Field(description="Its agency.")
    provider_id: str | None = Field(description="The provider it is about, if one.")
    step: str = Field(description="`decision`, `offer`, `answer`, `deadline`, `outcome` or `override`.")
    summary: str = Field(description="One human-readable line.")
    detail: dict[str, Any] = Field(description="Candidates, score breakdowns, exclusions.")
    at: datetime = Field(description="When.")


class LogPage(BaseModel):
    """A page of the dispatch log, newest first."""

    items: list[LogRecordRead] = Field(description="Records.")
    next_cursor: int | None = Field(description="Pass as `cursor` for older records; null at the end.")


class StreamQuery(_Input):
    """Filters of the live dispatch log."""

    request_id: str | None = Field(None, max_length=200, description="Only this request.")
    agency_id: str | None = Field(None, max_length=200, description="Only this agency's requests.")


class UnfilledQuery(_Input):
    """Paging of unfilled requests."""

    limit: int = Field(100, ge=1, le=1000, description="At most this many, oldest first.")


class UnfilledRead(BaseModel):
    """A request nobody could take, waiting for availability to change."""

    request_id: str = Field(description="The request.")
    agency_id: str = Field(description="Its agency.")
    role: str | None = Field(description="Role needed.")
    kind: str | None = Field(description="Incident or vacancy.")
    severity: str | None = Field(description="Incident severity.")
    round_number: int = Field(description="Matching rounds so far.")
    unfilled_reason: str | None = Field(description="Why nobody could be assigned.")
    unfilled_at: datetime | None = Field(description="Since when.")
