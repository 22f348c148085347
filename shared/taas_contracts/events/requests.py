"""Events the requests service publishes: request submitted / cancelled, agency snapshots, revoked tokens."""

from datetime import date, datetime, time
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from taas_contracts.catalog import Clearance, RequestKind, Role, Severity
from taas_contracts.envelope import EventPayload
from taas_contracts.topics import AGENCY_SNAPSHOTS, AUTH_REVOCATIONS, REQUEST_EVENTS


class Location(BaseModel):
    """A point on the map where onsite work happens."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, description="Latitude in degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees.")
    label: str | None = Field(None, max_length=200, description="Human-readable place name.")


class RequestSubmitted(EventPayload):
    """An agency filed a coverage request; carries everything dispatch needs to match it."""

    EVENT_TYPE: ClassVar[str] = "taas.request.submitted.v1"
    TOPIC: ClassVar[str] = REQUEST_EVENTS.name

    request_id: str = Field(description="The request's id (also the Kafka key).")
    agency_id: str = Field(description="The requesting agency (tenant).")
    kind: RequestKind = Field(description="Incident (now) or vacancy (weeks).")
    severity: Severity | None = Field(None, description="Incident severity; None for vacancies.")
    role: Role = Field(description="The role needed.")
    required_skills: list[str] = Field(default_factory=list, description="Skills wanted (scored, not required).")
    certifications: list[str] = Field(default_factory=list, description="Certifications every candidate must hold.")
    clearances: list[Clearance] = Field(default_factory=list, description="Clearances every candidate must hold.")
    onsite: bool = Field(False, description="True when the work must be done on site.")
    location: Location | None = Field(None, description="Where, when onsite.")
    max_hourly_rate_cents: int = Field(gt=0, description="The highest hourly rate the agency accepts, in cents.")
    expected_hours: float | None = Field(None, description="Incident: expected hours of work.")
    hours_per_week: float | None = Field(None, description="Vacancy: hours per week.")
    start_date: date | None = Field(None, description="Vacancy: first day.")
    weeks: int | None = Field(None, description="Vacancy: number of weeks.")
    window_start: datetime = Field(description="Start of the engagement window (UTC).")
    window_end: datetime = Field(description="End of the engagement window (UTC).")
    description: str = Field("", description="Free text from the agency.")
    submitted_at: datetime = Field(description="When the agency filed it.")
    respond_by: datetime = Field(description="Response-time target: assigned by this time.")


class RequestCancelled(EventPayload):
    """The agency (or ops) cancelled a request."""

    EVENT_TYPE: ClassVar[str] = "taas.request.cancelled.v1"
    TOPIC: ClassVar[str] = REQUEST_EVENTS.name

    request_id: str = Field(description="The cancelled request.")
    agency_id: str = Field(description="Its agency.")
    reason: str = Field(description="Why it was cancelled.")
    cancelled_at: datetime = Field(description="When.")
    cancelled_by: str = Field(description="Role that cancelled: agency or ops.")


class BusinessHours(BaseModel):
    """An agency's business hours in its own time zone."""

    model_config = ConfigDict(extra="forbid")

    days: list[int] = Field(default=[0, 1, 2, 3, 4], description="Weekdays, 0 = Monday.")
    start: time = Field(default=time(8, 0), description="Local opening time.")
    end: time = Field(default=time(17, 0), description="Local closing time.")


class AgencySnapshot(EventPayload):
    """Full state of an agency (latest wins on a compacted topic keyed by agency id)."""

    EVENT_TYPE: ClassVar[str] = "taas.agency.snapshot.v1"
    TOPIC: ClassVar[str] = AGENCY_SNAPSHOTS.name

    agency_id: str = Field(description="The agency's id.")
    name: str = Field(description="Display name.")
    state: str = Field(description="US state code.")
    jurisdiction: str = Field(description="County, city or district name.")
    population: int = Field(ge=0, description="Residents served.")
    time_zone: str = Field(description="IANA time zone.")
    business_hours: BusinessHours = Field(description="Business hours in the agency's time zone.")
    consortia: list[str] = Field(default_factory=list, description="Consortium memberships.")
    monthly_budget_cap_cents: int | None = Field(None, description="Monthly budget cap in cents.")
    active: bool = Field(True, description="False once the agency is offboarded.")
    version: int = Field(description="Monotonic version of this agency's state.")


class TokenRevoked(EventPayload):
    """An API token was revoked; every service stops accepting it."""

    EVENT_TYPE: ClassVar[str] = "taas.auth.token_revoked.v1"
    TOPIC: ClassVar[str] = AUTH_REVOCATIONS.name

    jti: str = Field(description="Id of the revoked token.")
    expires_at: datetime = Field(description="When the token would have expired anyway.")
    revoked_at: datetime = Field(description="When it was revoked.")
