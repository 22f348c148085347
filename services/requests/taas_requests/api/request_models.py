"""API models of coverage requests: the incident / vacancy union, reads, lists, cancels, timelines."""

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel, ValidationError
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ErrorType

from taas_contracts.catalog import Clearance, RequestKind, RequestStatus, Role, Severity
from taas_contracts.events.requests import Location
from taas_requests.api.fields import EachOnce, Tag, Text
from taas_requests.domain import validation

_IN = ConfigDict(extra="forbid")
RATE_CAP_CENTS = 10_000_000


class _Constraints(BaseModel):
    """What both kinds share: role, constraints on the candidate, where and for how much."""

    model_config = _IN

    role: Role = Field(description="The role needed.")
    required_skills: Annotated[list[Tag], EachOnce] = Field(default_factory=list, max_length=30, description="Skills wanted (scored).")
    certifications: Annotated[list[Tag], EachOnce] = Field(default_factory=list, max_length=20, description="Certifications required.")
    clearances: Annotated[list[Clearance], EachOnce] = Field(default_factory=list, max_length=4, description="Clearances required.")
    onsite: bool = Field(False, description="True when the work must be done on site.")
    location: Location | None = Field(None, description="Where, required when onsite.")
    max_hourly_rate_cents: int = Field(gt=0, le=RATE_CAP_CENTS, description="Highest hourly rate accepted, in cents.")
    description: Text(4000) = Field("", description="Free text for the provider.")


class IncidentCreate(_Constraints):
    """An incident: someone is needed now."""

    kind: Literal[RequestKind.INCIDENT] = Field(description="`incident`.")
    severity: Severity = Field(description="How urgent; sets the offer policy and the response-time target.")
    expected_hours: float | None = Field(None, gt=0, le=2000, description="Expected hours of work (default 8).")


class VacancyCreate(_Constraints):
    """A vacancy: someone is needed for some hours a week over weeks."""

    kind: Literal[RequestKind.VACANCY] = Field(description="`vacancy`.")
    hours_per_week: float = Field(gt=0, le=60, description="Hours per week.")
    start_date: date = Field(description="First day (in the agency's time zone), today or later.")
    weeks: int = Field(ge=1, le=104, description="Number of weeks.")


RequestBody = Annotated[IncidentCreate | VacancyCreate, Field(discriminator="kind")]
_TAGS = {k.value for k in RequestKind}
_PYDANTIC_TYPES = set(get_args(ErrorType))


class RequestCreate(RootModel[RequestBody]):
    """A new coverage request: an incident or a vacancy, told apart by `kind`."""

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> "RequestCreate":
        """Validate, reporting fields at their place in the body (not under the union's tag)."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            # The rules that need nothing but the body are reported beside the type errors, not one answer later.
            rules = validation.onsite_location_problems(obj.get("onsite") is True, obj.get("location")) \
                if isinstance(obj, dict) else []
            errors = [_untagged(e) for e in exc.errors()]
            taken = {e["loc"][0] for e in errors if e["loc"]}
            errors += [{"type": PydanticCustomError(p.code, "{message}", {"message": p.message}), "loc": (p.field,),
                        "input": obj} for p in rules if p.field not in taken]
            raise ValidationError.from_exception_data(exc.title, errors) from None


def _untagged(error: dict[str, Any]) -> dict[str, Any]:
    loc = tuple(error.get("loc", ()))
    if error["type"].startswith("union_tag"):
        loc = ("kind",)
    elif loc and loc[0] in _TAGS:
        loc = loc[1:]
    if error["type"] not in _PYDANTIC_TYPES:  # our own codes (e.g. `duplicate`) travel as custom errors
        return {"type": PydanticCustomError(error["type"], "{message}", {"message": error["msg"]}), "loc": loc,
                "input": error.get("input")}
    detail = {"type": error["type"], "loc": loc, "input": error.get("input")}
    if "ctx" in error:
        detail["ctx"] = error["ctx"]
    return detail


class RequestRead(BaseModel):
    """A coverage request as the agency and ops see it."""

    id: str = Field(description="The request's id.")
    agency_id: str = Field(description="The requesting agency.")
    kind: RequestKind = Field(description="Incident or vacancy.")
    status: RequestStatus = Field(description="Where the request stands.")
    severity: Severity | None = Field(description="Incident severity; null for vacancies.")
    role: Role = Field(description="The role needed.")
    required_skills: list[str] = Field(description="Skills wanted.")
    certifications: list[str] = Field(description="Certifications required.")
    clearances: list[Clearance] = Field(description="Clearances required.")
    onsite: bool = Field(description="On site or remote.")
    location: Location | None = Field(description="Where, when onsite.")
    max_hourly_rate_cents: int = Field(description="Highest hourly rate accepted, in cents.")
    expected_hours: float | None = Field(description="Incident: expected hours.")
    hours_per_week: float | None = Field(description="Vacancy: hours per week.")
    start_date: date | None = Field(description="Vacancy: first day.")
    weeks: int | None = Field(description="Vacancy: number of weeks.")
    description: str = Field(description="Free text.")
    window_start: datetime = Field(description="Start of the engagement window (UTC).")
    window_end: datetime = Field(description="End of the engagement window (UTC).")
    submitted_at: datetime = Field(description="When it was filed.")
    respond_by: datetime = Field(description="Response-time target: assigned by this time.")
    sla_breached: bool = Field(description="True once the request missed its response-time target.")
    assigned_at: datetime | None = Field(description="First assignment (stops the response-time clock).")
    cancelled_at: datetime | None = Field(description="When it was cancelled.")
    cancel_reason: str | None = Field(description="Why it was cancelled.")
    updated_at: datetime = Field(description="Last change.")


class RequestPage(BaseModel):
    """One page of requests, newest first."""

    items: list[RequestRead] = Field(description="The requests of this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class RequestQuery(BaseModel):
    """Filters and paging of the request list."""

    model_config = _IN

    status: RequestStatus | None = Field(None, description="Only requests with this status.")
    kind: RequestKind | None = Field(None, description="Only incidents or only vacancies.")
    severity: Severity | None = Field(None, description="Only incidents of this severity.")
    created_after: AwareDatetime | None = Field(None, description="Submitted at or after this time.")
    created_before: AwareDatetime | None = Field(None, description="Submitted before this time.")
    breached: bool | None = Field(None, description="Only requests that missed (true) or not (false) their target.")
    agency_id: Text(64, 1) | None = Field(None, description="Ops only: only this agency's requests.")
    limit: int = Field(50, ge=1, le=100, description="Page size (at most 100).")
    cursor: Text(200, 1) | None = Field(None, description="The `next_cursor` of the previous page.")


class CancelCreate(BaseModel):
    """A cancellation of a request."""

    model_config = _IN

    reason: Text(500, 1) = Field(description="Why the request is cancelled.")


class TimelineEntryRead(BaseModel):
    """One status change or dispatch step of a request."""

    event_id: str = Field(description="The event that caused it.")
    event_type: str = Field(description="Its type, e.g. `taas.offer.created.v1`.")
    seq: int | None = Field(description="Dispatch's per-request sequence number (null for the agency's own events).")
    occurred_at: datetime = Field(description="When it happened.")
    recorded_at: datetime = Field(description="When this service recorded it.")
    from_status: RequestStatus | None = Field(description="Status before (null for the submission).")
    to_status: RequestStatus = Field(description="Status after.")
    verdict: Literal["applied", "stale", "refused"] = Field(
        description="`applied`; `stale` (older than the status, kept for the record); `refused` (impossible move).")
    reason: str | None = Field(description="Why it was ignored or refused, or a note.")
    detail: dict[str, Any] = Field(description="Event details: provider, offer, assignment, reasons.")
