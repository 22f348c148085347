"""Events the availability service publishes: full provider snapshots and credential warnings."""

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from taas_contracts.catalog import Clearance, Role
from taas_contracts.envelope import EventPayload
from taas_contracts.topics import PROVIDER_ALERTS, PROVIDER_SNAPSHOTS


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Certification(_Model):
    """A certification with its issuer and expiry."""

    name: str = Field(description="Certification name, e.g. CISSP.")
    issuer: str = Field("", description="Issuing body, e.g. ISC2.")
    expires_on: date | None = Field(None, description="Last valid day; None if it never expires.")


class ClearanceGrant(_Model):
    """A background clearance with its expiry."""

    kind: Clearance = Field(description="Which clearance.")
    expires_on: date | None = Field(None, description="Last valid day; None if it never expires.")


class OnsiteArea(_Model):
    """Where a provider can work on site."""

    lat: float = Field(ge=-90, le=90, description="Home base latitude.")
    lon: float = Field(ge=-180, le=180, description="Home base longitude.")
    radius_km: float = Field(ge=0, description="How far they travel for onsite work.")


class WeeklyWindow(_Model):
    """One weekly availability window in the provider's time zone."""

    day: int = Field(ge=0, le=6, description="Weekday, 0 = Monday.")
    start: str = Field(description="Local start, HH:MM.")
    end: str = Field(description="Local end, HH:MM (24:00 allowed).")


class ScheduleException(_Model):
    """A dated exception: blocked time or extra time."""

    id: str = Field(description="Exception id.")
    kind: str = Field(description="`blocked` or `extra`.")
    start: datetime = Field(description="Start (aware).")
    end: datetime = Field(description="End (aware).")
    note: str = Field("", description="Why.")


class ProviderSnapshot(EventPayload):
    """Full state of a provider (latest wins on a compacted topic keyed by provider id)."""

    EVENT_TYPE: ClassVar[str] = "taas.provider.snapshot.v1"
    TOPIC: ClassVar[str] = PROVIDER_SNAPSHOTS.name

    provider_id: str = Field(description="The provider's id.")
    name: str = Field(description="Display name.")
    roles: list[Role] = Field(description="Roles they can be dispatched for.")
    skills: list[str] = Field(default_factory=list, description="Skills, lower case.")
    certifications: list[Certification] = Field(default_factory=list, description="Certifications.")
    clearances: list[ClearanceGrant] = Field(default_factory=list, description="Clearances.")
    hourly_rate_cents: int = Field(gt=0, description="Hourly rate in cents.")
    home_jurisdiction_id: str | None = Field(None, description="Agency that lends this provider (staff), if any.")
    firm: str | None = Field(None, description="Firm, for independent providers.")
    time_zone: str = Field(description="IANA time zone.")
    capacity: int = Field(ge=1, description="Maximum concurrent engagements.")
    regions: list[str] = Field(default_factory=list, description="Regions served (state codes or names).")
    onsite: OnsiteArea | None = Field(None, description="Onsite base and radius; None = remote only.")
    languages: list[str] = Field(default_factory=list, description="Languages spoken.")
    conflicts: list[str] = Field(default_factory=list, description="Agency ids they must not serve.")
    windows: list[WeeklyWindow] = Field(default_factory=list, description="Weekly schedule.")
    exceptions: list[ScheduleException] = Field(default_factory=list, description="Dated exceptions.")
    on_call_until: datetime | None = Field(None, description="On call now until this time.")
    status: str = Field("active", description="`active`, `paused` or `offboarded`.")
    weekly_hours: float = Field(0, description="Scheduled hours per week.")
    availability: list[tuple[datetime, datetime]] = Field(
        default_factory=list, description="Merged UTC intervals available, from now to horizon_until."
    )
    horizon_until: datetime = Field(description="End of the precomputed availability.")
    version: int = Field(description="Monotonic version of this provider's state.")


class CredentialExpiring(EventPayload):
    """A provider's certification or clearance expires within the warning horizon."""

    EVENT_TYPE: ClassVar[str] = "taas.provider.credential_expiring.v1"
    TOPIC: ClassVar[str] = PROVIDER_ALERTS.name

    provider_id: str = Field(description="Whose credential.")
    credential: str = Field(description="Certification name or clearance kind.")
    kind: str = Field(description="`certification` or `clearance`.")
    expires_on: date = Field(description="Last valid day.")
