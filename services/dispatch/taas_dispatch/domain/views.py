"""Dispatch's read-model values: providers (from snapshots), coverage requests, current engagements."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from taas_contracts.catalog import Clearance, RequestKind, Role, Severity
from taas_dispatch.domain.geo import GeoPoint
from taas_dispatch.domain.time_windows import TimeWindow, require_aware


@dataclass(frozen=True, slots=True)
class Certification:
    """A professional certification (e.g. CISSP); `expires_at` None means it never lapses."""

    name: str
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClearanceGrant:
    """A background clearance a provider holds; `expires_at` None means it never lapses."""

    clearance: Clearance
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OnsiteArea:
    """Where a provider is willing to work in person: a centre and a radius."""

    center: GeoPoint
    radius_km: float

    def __post_init__(self) -> None:
        if self.radius_km < 0:
            raise ValueError(f"onsite radius must not be negative: {self.radius_km}")


@dataclass(frozen=True, slots=True)
class ReliabilityStats:
    """How a provider has answered past offers."""

    offers_received: int = 0
    offers_accepted: int = 0
    median_answer_seconds: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.offers_accepted <= self.offers_received:
            raise ValueError("offers_accepted must be between 0 and offers_received")


@dataclass(frozen=True, slots=True)
class ProviderView:
    """Dispatch's read model of one provider, built from the availability service's snapshot."""

    provider_id: str
    roles: frozenset[Role]
    home_jurisdiction_id: str
    time_zone: str
    hourly_rate_cents: int
    capacity: int = 1
    skills: frozenset[str] = frozenset()
    certifications: tuple[Certification, ...] = ()
    clearances: tuple[ClearanceGrant, ...] = ()
    regions: frozenset[str] = frozenset()
    onsite_area: OnsiteArea | None = None
    conflict_agency_ids: frozenset[str] = frozenset()
    available: tuple[TimeWindow, ...] = ()
    on_call_until: datetime | None = None
    reliability: ReliabilityStats = field(default_factory=ReliabilityStats)
    paused: bool = False
    horizon_until: datetime | None = None
    weekly_hours: float = 0.0

    def __post_init__(self) -> None:
        if self.hourly_rate_cents < 0:
            raise ValueError("hourly_rate_cents must not be negative")
        if self.capacity < 0:
            raise ValueError("capacity must not be negative")
        if self.on_call_until is not None:
            require_aware(self.on_call_until, "on_call_until")
        if self.horizon_until is not None:
            require_aware(self.horizon_until, "horizon_until")
        ZoneInfo(self.time_zone)  # fails fast on an unknown zone name

    def is_on_call(self, now: datetime) -> bool:
        """True when the provider is on an on-call shift at `now`."""
        return self.on_call_until is not None and now < self.on_call_until


@dataclass(frozen=True, slots=True)
class Requirements:
    """What any coverage request asks of a provider, whatever its kind."""

    role: Role
    max_hourly_rate_cents: int
    required_skills: frozenset[str] = frozenset()
    required_certifications: frozenset[str] = frozenset()
    required_clearances: frozenset[Clearance] = frozenset()
    onsite: bool = False
    onsite_location: GeoPoint | None = None

    def __post_init__(self) -> None:
        if self.max_hourly_rate_cents < 0:
            raise ValueError("max_hourly_rate_cents must not be negative")
        if self.onsite and self.onsite_location is None:
            raise ValueError("an onsite request needs an onsite_location")


@dataclass(frozen=True, slots=True)
class IncidentRequest:
    """An incident: someone is needed now, for about `expected_hours`."""

    request_id: str
    agency_id: str
    severity: Severity
    expected_hours: int | Decimal
    requirements: Requirements

    kind = RequestKind.INCIDENT

    def __post_init__(self) -> None:
        if self.expected_hours <= 0:
            raise ValueError("expected_hours must be positive")

    def engagement_window(self, now: datetime) -> TimeWindow:
        """[now, now + expected hours)."""
        seconds = int(Decimal(self.expected_hours) * 3600)
        return TimeWindow(now, now + timedelta(seconds=seconds))


@dataclass(frozen=True, slots=True)
class VacancyRequest:
    """A vacancy: `hours_per_week` for `weeks`, from local midnight of `starts_on` in `time_zone`."""

    request_id: str
    agency_id: str
    hours_per_week: int
    starts_on: date
    weeks: int
    time_zone: str
    requirements: Requirements

    kind = RequestKind.VACANCY

    def __post_init__(self) -> None:
        if self.hours_per_week <= 0 or self.weeks <= 0:
            raise ValueError("hours_per_week and weeks must be positive")
        ZoneInfo(self.time_zone)

    def engagement_window(self, now: datetime) -> TimeWindow:
        """[start date, start date + weeks), both at the agency's local midnight (DST-correct)."""
        zone = ZoneInfo(self.time_zone)
        start = datetime.combine(self.starts_on, time(), tzinfo=zone)
        end = datetime.combine(self.starts_on + timedelta(weeks=self.weeks), time(), tzinfo=zone)
        return TimeWindow(start, end)

    def week_windows(self) -> list[TimeWindow]:
        """Each local week of the engagement, in order."""
        zone = ZoneInfo(self.time_zone)
        weeks = []
        for index in range(self.weeks):
            first_day = self.starts_on + timedelta(weeks=index)
            weeks.append(
                TimeWindow(
                    datetime.combine(first_day, time(), tzinfo=zone),
                    datetime.combine(first_day + timedelta(weeks=1), time(), tzinfo=zone),
                )
            )
        return weeks


RequestView = IncidentRequest | VacancyRequest


@dataclass(frozen=True, slots=True)
class ActiveEngagement:
    """A booking a provider already holds, which counts against their capacity."""

    provider_id: str
    window: TimeWindow
