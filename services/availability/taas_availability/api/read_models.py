"""API models the service answers with: providers, their time, load and expiring credentials."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from taas_availability.api.fields import Text
from taas_availability.api.profile_models import CertificationWrite, ClearanceWrite, OnsiteWrite
from taas_contracts.catalog import Role

_QUERY = ConfigDict(extra="forbid")


class WindowRead(BaseModel):
    """One weekly window, local time."""

    day: int = Field(description="Weekday, 0 = Monday.")
    start: str = Field(description="Local start, HH:MM.")
    end: str = Field(description="Local end, HH:MM.")


class ExceptionRead(BaseModel):
    """A dated exception."""

    id: str = Field(description="Exception id (to delete it).")
    kind: str = Field(description="`blocked` or `extra`.")
    start: datetime = Field(description="Start (UTC).")
    end: datetime = Field(description="End (UTC).")
    note: str = Field(description="Why.")


class LoadSummary(BaseModel):
    """How busy a provider is now."""

    active_engagements: int = Field(description="Assignments created and not yet completed or released.")
    remaining_capacity: int = Field(description="Capacity minus active engagements (never below 0).")


class ProviderRead(BaseModel):
    """A provider's profile, schedule, status and load."""

    id: str = Field(description="Provider id (the tenant of their tokens).")
    name: str = Field(description="Display name.")
    roles: list[Role] = Field(description="Roles.")
    skills: list[str] = Field(description="Skills, lower case.")
    certifications: list[CertificationWrite] = Field(description="Certifications.")
    clearances: list[ClearanceWrite] = Field(description="Clearances.")
    hourly_rate_cents: int = Field(description="Hourly rate in cents.")
    home_jurisdiction_id: str | None = Field(description="Lending agency, if staff.")
    firm: str | None = Field(description="Firm, if independent.")
    time_zone: str = Field(description="IANA time zone.")
    capacity: int = Field(description="Maximum concurrent engagements.")
    regions: list[str] = Field(description="Regions served.")
    onsite: OnsiteWrite | None = Field(description="Onsite base and radius; null = remote only.")
    languages: list[str] = Field(description="Languages.")
    conflicts: list[str] = Field(description="Agency ids they must not serve.")
    windows: list[WindowRead] = Field(description="Weekly schedule.")
    exceptions: list[ExceptionRead] = Field(description="Dated exceptions not yet over.")
    status: str = Field(description="`active`, `paused` or `offboarded`.")
    on_call_until: datetime | None = Field(description="On call until this instant, if on call.")
    weekly_hours: float = Field(description="Scheduled hours in a nominal week.")
    horizon_until: datetime = Field(description="End of the availability last published.")
    version: int = Field(description="Version of the provider's state (the snapshot's version).")
    load: LoadSummary = Field(description="Active engagements and remaining capacity.")
    created_at: datetime = Field(description="When onboarded.")
    updated_at: datetime = Field(description="Last change.")


class ProviderPage(BaseModel):
    """One page of providers."""

    items: list[ProviderRead] = Field(description="Providers, by id.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ProviderQuery(BaseModel):
    """Filters of the provider list (ops)."""

    model_config = _QUERY

    role: Role | None = Field(None, description="Only providers with this role.")
    skill: Text(100, 1) | None = Field(None, description="Only providers with this skill (case-insensitive).")
    certification: Text(100, 1) | None = Field(None, description="Only providers holding this unexpired certification.")
    available_at: datetime | None = Field(None, description="Only providers available at this instant (within the horizon).")
    status: str | None = Field(None, pattern="^(active|paused|offboarded)$", description="Only providers in this status.")
    limit: int | None = Field(None, ge=1, description="Page size (capped by the service).")
    cursor: Text(200, 1) | None = Field(None, description="The `next_cursor` of the previous page.")


class EngagementRead(BaseModel):
    """An active assignment of a provider."""

    assignment_id: str = Field(description="The assignment.")
    request_id: str = Field(description="The coverage request.")
    agency_id: str = Field(description="The requesting agency.")
    role: str | None = Field(description="Role of the work.")
    window_start: datetime | None = Field(description="Engagement window start.")
    window_end: datetime | None = Field(description="Engagement window end.")
    assigned_at: datetime | None = Field(description="When dispatch booked it.")


class LoadRead(BaseModel):
    """A provider's current load."""

    provider_id: str = Field(description="The provider.")
    capacity: int = Field(description="Maximum concurrent engagements.")
    active_engagements: int = Field(description="Active assignments.")
    remaining_capacity: int = Field(description="Capacity left (never below 0).")
    engagements: list[EngagementRead] = Field(description="The active assignments, oldest first.")


class ExpiringQuery(BaseModel):
    """How far ahead to look for expiring credentials."""

    model_config = _QUERY

    within_days: int | None = Field(None, ge=0, le=3650, description="Horizon in days (the service default if absent).")


class ExpiringCredentialRead(BaseModel):
    """A credential expired or expiring within the horizon."""

    provider_id: str = Field(description="Whose credential.")
    kind: str = Field(description="`certification` or `clearance`.")
    credential: str = Field(description="Certification name or clearance kind.")
    issuer: str | None = Field(description="Issuer of a certification.")
    expires_on: date = Field(description="Last valid day.")
    days_left: int = Field(description="Days from today to the last valid day (negative once expired).")
    expired: bool = Field(description="True once the last valid day has passed.")
