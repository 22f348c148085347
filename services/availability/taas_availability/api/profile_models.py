"""API models of provider profiles (what ops onboard and a provider keeps current) and their tokens."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from taas_availability.api.fields import LowerTag, Name, ProviderId, Tag, Text, ZoneKey
from taas_availability.api.schedule_models import WindowWrite
from taas_contracts.catalog import Clearance, Role

_IN = ConfigDict(extra="forbid")


class CertificationWrite(BaseModel):
    """A certification with its issuer and last valid day."""

    model_config = _IN

    name: Text(100) = Field(description="Certification name, e.g. CISSP.")
    issuer: Text(100) = Field(description="Issuing body, e.g. ISC2.")
    expires_on: date | None = Field(None, description="Last valid day; null if it never expires.")


class ClearanceWrite(BaseModel):
    """A background clearance with its last valid day."""

    model_config = _IN

    kind: Clearance = Field(description="Which clearance (cjis, state_background, irs_1075, hipaa).")
    expires_on: date | None = Field(None, description="Last valid day; null if it never expires.")


class OnsiteWrite(BaseModel):
    """Where the provider can work on site."""

    model_config = _IN

    lat: float = Field(ge=-90, le=90, description="Home base latitude.")
    lon: float = Field(ge=-180, le=180, description="Home base longitude.")
    radius_km: float = Field(ge=0, le=2000, description="How far they travel for onsite work, in km.")


class ProviderCreate(BaseModel):
    """A new provider, onboarded by ops."""

    model_config = _IN

    id: ProviderId | None = Field(None, description="Optional slug id (lowercase letters, digits, dashes); generated if absent.")
    name: Name = Field(description="Display name.")
    roles: list[Role] = Field(min_length=1, max_length=len(Role), description="Roles they can be dispatched for.")
    skills: list[LowerTag] = Field([], max_length=50, description="Skills (stored lower case).")
    certifications: list[CertificationWrite] = Field([], max_length=50, description="Certifications with expiry.")
    clearances: list[ClearanceWrite] = Field([], max_length=len(Clearance), description="Clearances with expiry.")
    hourly_rate_cents: int = Field(description="Hourly rate in cents (positive).", le=10_000_000)
    home_jurisdiction_id: Tag | None = Field(None, description="Agency id that lends this provider (staff), if any.")
    firm: Name | None = Field(None, description="Firm, for independent providers.")
    time_zone: ZoneKey = Field(description="IANA time zone of the provider, e.g. America/Chicago.")
    capacity: int = Field(1, description="Maximum concurrent engagements (at least 1).", le=50)
    regions: list[Tag] = Field([], max_length=60, description="Regions served (state codes or names).")
    onsite: OnsiteWrite | None = Field(None, description="Onsite base and radius; null = remote only.")
    languages: list[Tag] = Field([], max_length=20, description="Languages spoken.")
    conflicts: list[Tag] = Field([], max_length=200, description="Agency ids they must not serve.")
    windows: list[WindowWrite] = Field([], max_length=100, description="Initial weekly schedule, local times.")


_NOT_NULL = ("name", "roles", "skills", "certifications", "clearances", "hourly_rate_cents", "time_zone",
             "capacity", "regions", "languages", "conflicts")


class ProviderUpdate(BaseModel):
    """A change to a provider's profile: only the fields given change (null clears an optional field)."""

    model_config = _IN

    name: Name | None = Field(None, description="Display name.")
    roles: list[Role] | None = Field(None, min_length=1, max_length=len(Role), description="Roles (ops only).")
    skills: list[LowerTag] | None = Field(None, max_length=50, description="Skills (stored lower case).")
    certifications: list[CertificationWrite] | None = Field(None, max_length=50, description="Certifications.")
    clearances: list[ClearanceWrite] | None = Field(None, max_length=len(Clearance), description="Clearances.")
    hourly_rate_cents: int | None = Field(None, le=10_000_000, description="Hourly rate in cents (ops only).")
    home_jurisdiction_id: Tag | None = Field(None, description="Lending agency id (ops only); null clears it.")
    firm: Name | None = Field(None, description="Firm (ops only); null clears it.")
    time_zone: ZoneKey | None = Field(None, description="IANA time zone; weekly windows are read in it.")
    capacity: int | None = Field(None, le=50, description="Maximum concurrent engagements.")
    regions: list[Tag] | None = Field(None, max_length=60, description="Regions served.")
    onsite: OnsiteWrite | None = Field(None, description="Onsite base and radius; null = remote only.")
    languages: list[Tag] | None = Field(None, max_length=20, description="Languages spoken.")
    conflicts: list[Tag] | None = Field(None, max_length=200, description="Agency ids they must not serve.")

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise ValueError("must not be null")
        return value


OPS_ONLY_FIELDS = frozenset({"roles", "hourly_rate_cents", "home_jurisdiction_id", "firm"})


class TokenCreate(BaseModel):
    """How long a provider token lives."""

    model_config = _IN

    ttl_days: int = Field(90, ge=1, le=365, description="Days until the token expires.")


class TokenRead(BaseModel):
    """A signed provider token."""

    provider_id: str = Field(description="The provider (the token's tenant).")
    role: str = Field(description="Always `provider`.")
    token: str = Field(description="Bearer token; shown once.")
    expires_at: datetime = Field(description="When it stops working.")
