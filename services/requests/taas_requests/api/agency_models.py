"""API models of agencies and their tokens."""

from datetime import datetime, time
from enum import StrEnum

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from taas_requests.api.fields import AgencyId, Name, Tag, Text, TimeZone

_IN = ConfigDict(extra="forbid")
# A wall-clock time without an offset (JSON Schema's "time" format would demand one).
LocalTime = Annotated[time, WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
                                            "examples": ["08:00"]})]


class JurisdictionKind(StrEnum):
    """What kind of local government the agency is."""

    COUNTY = "county"
    CITY = "city"
    DISTRICT = "district"
    TOWN = "town"


class BusinessHoursWrite(BaseModel):
    """Business hours in the agency's own time zone."""

    model_config = _IN

    days: list[int] = Field([0, 1, 2, 3, 4], min_length=1, max_length=7, description="Weekdays, 0 = Monday.")
    start: LocalTime = Field(time(8, 0), description="Local opening time.")
    end: LocalTime = Field(time(17, 0), description="Local closing time (after the opening time).")

    @model_validator(mode="after")
    def _check(self) -> "BusinessHoursWrite":
        if any(d < 0 or d > 6 for d in self.days) or len(set(self.days)) != len(self.days):
            raise ValueError("days must be distinct weekdays from 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("start and end are local times without an offset")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Contact(BaseModel):
    """A person to reach at the agency."""

    model_config = _IN

    name: Name = Field(description="Full name.")
    role: Text(100) = Field("", description="Their role, e.g. county administrator.")
    email: Text(254) | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$", description="Email address.")
    phone: Text(40) | None = Field(None, description="Phone number.")


class AgencyCreate(BaseModel):
    """A new agency (tenant), created by ops."""

    model_config = _IN

    id: AgencyId | None = Field(None, description="Optional slug id (lowercase letters, digits, dashes); generated if absent.")
    name: Name = Field(description="Display name, e.g. Crow Wing County.")
    state: str = Field(pattern=r"^[A-Z]{2}$", description="US state code, e.g. MN.")
    jurisdiction: Name = Field(description="County, city or district name.")
    jurisdiction_kind: JurisdictionKind = Field(JurisdictionKind.COUNTY, description="County, city, district or town.")
    population: int = Field(ge=0, le=50_000_000, description="Residents served.")
    time_zone: TimeZone = Field(description="IANA time zone, e.g. America/Chicago.")
    business_hours: BusinessHoursWrite = Field(default_factory=BusinessHoursWrite, description="Business hours.")
    consortia: list[Tag] = Field(default_factory=list, max_length=50, description="Consortium memberships.")
    monthly_budget_cap_cents: int | None = Field(None, ge=0, le=10**13, description="Monthly budget cap in cents.")
    contacts: list[Contact] = Field(default_factory=list, max_length=20, description="People to reach.")


class AgencyUpdate(BaseModel):
    """A partial change of an agency; absent fields stay as they are."""

    model_config = _IN

    name: Name | None = Field(None, description="Display name.")
    state: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="US state code.")
    jurisdiction: Name | None = Field(None, description="County, city or district name.")
    jurisdiction_kind: JurisdictionKind | None = Field(None, description="County, city, district or town.")
    population: int | None = Field(None, ge=0, le=50_000_000, description="Residents served.")
    time_zone: TimeZone | None = Field(None, description="IANA time zone.")
    business_hours: BusinessHoursWrite | None = Field(None, description="Business hours.")
    consortia: list[Tag] | None = Field(None, max_length=50, description="Consortium memberships.")
    monthly_budget_cap_cents: int | None = Field(None, ge=0, le=10**13, description="Monthly budget cap in cents.")
    contacts: list[Contact] | None = Field(None, max_length=20, description="People to reach.")
    active: bool | None = Field(None, description="False offboards the agency (it can no longer file requests).")


class AgencyRead(BaseModel):
    """An agency as stored."""

    id: str = Field(description="The agency's id (the tenant in its tokens).")
    name: str = Field(description="Display name.")
    state: str = Field(description="US state code.")
    jurisdiction: str = Field(description="County, city or district name.")
    jurisdiction_kind: JurisdictionKind = Field(description="County, city, district or town.")
    population: int = Field(description="Residents served.")
    time_zone: str = Field(description="IANA time zone.")
    business_hours: BusinessHoursWrite = Field(description="Business hours.")
    consortia: list[str] = Field(description="Consortium memberships.")
    monthly_budget_cap_cents: int | None = Field(description="Monthly budget cap in cents.")
    contacts: list[Contact] = Field(description="People to reach.")
    active: bool = Field(description="False once offboarded.")
    version: int = Field(description="Monotonic version, bumped by every change.")
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When it last changed.")


class AgencyQuery(BaseModel):
    """Filters of the agency list."""

    model_config = _IN

    active: bool | None = Field(None, description="Only active (true) or offboarded (false) agencies.")


class TokenCreate(BaseModel):
    """A new API token for an agency."""

    model_config = _IN

    ttl_days: int = Field(30, ge=1, le=366, description="Days until the token expires.")


class TokenRead(BaseModel):
    """A freshly issued token (shown once)."""

    agency_id: str = Field(description="The agency (tenant) the token acts for.")
    role: str = Field(description="Always `agency`.")
    token: str = Field(description="The bearer token.")
    expires_at: datetime = Field(description="When it expires.")
