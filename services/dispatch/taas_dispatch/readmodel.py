"""Translate contract payloads and stored rows into the domain's views (and views into stored rows)."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from taas_contracts.catalog import Clearance, RequestKind, Role, Severity
from taas_contracts.events.availability import ProviderSnapshot
from taas_contracts.events.requests import RequestSubmitted
from taas_dispatch.domain.geo import GeoPoint
from taas_dispatch.domain.time_windows import TimeWindow, merge_windows
from taas_dispatch.domain.views import (
    Certification,
    ClearanceGrant,
    IncidentRequest,
    OnsiteArea,
    ProviderView,
    ReliabilityStats,
    Requirements,
    RequestView,
    VacancyRequest,
)

ACTIVE = "active"
_ROLES = {role.value: role for role in Role}
_NO_HISTORY = ReliabilityStats()  # immutable, so one instance serves every provider without answers


def _utc(moment: datetime) -> datetime:
    """Contract instants are UTC; a naive one is read as UTC rather than refused."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def lapses_at(expires_on: date | None) -> datetime | None:
    """A credential's last valid day runs to the end of that day, UTC."""
    return None if expires_on is None else datetime.combine(expires_on + timedelta(days=1), time(), tzinfo=UTC)


def _best_expiry(pairs: list[tuple[str, datetime | None]]) -> dict[str, datetime | None]:
    """Per name, the expiry that lasts longest (a held credential is as good as its best copy)."""
    best: dict[str, datetime | None] = {}
    for name, expiry in pairs:
        if name not in best:
            best[name] = expiry
        elif best[name] is not None and (expiry is None or expiry > best[name]):
            best[name] = expiry
    return best


def jurisdiction_key(home_jurisdiction_id: str | None, firm: str | None, provider_id: str) -> str:
    """Who lends a provider: their home jurisdiction, else their firm, else themselves (for fairness)."""
    if home_jurisdiction_id:
        return home_jurisdiction_id
    return f"firm:{firm}" if firm else f"independent:{provider_id}"


def provider_row(snapshot: ProviderSnapshot) -> dict[str, Any]:
    """The providers-table row of a snapshot."""
    certs = _best_expiry([(c.name, lapses_at(c.expires_on)) for c in snapshot.certifications])
    clearances = _best_expiry([(str(c.kind), lapses_at(c.expires_on)) for c in snapshot.clearances])
    windows = merge_windows(
        TimeWindow(_utc(start), _utc(end)) for start, end in snapshot.availability if _utc(end) > _utc(start)
    )
    onsite = snapshot.onsite
    return {
        "provider_id": snapshot.provider_id,
        "version": snapshot.version,
        "name": snapshot.name,
        "roles": sorted({str(r) for r in snapshot.roles}),
        "skills": sorted({s.lower() for s in snapshot.skills}),
        "cert_names": sorted(certs),
        "cert_expiry": {k: v.isoformat() if v else None for k, v in certs.items()},
        "clearance_names": sorted(clearances),
        "clearance_expiry": {k: v.isoformat() if v else None for k, v in clearances.items()},
        "hourly_rate_cents": snapshot.hourly_rate_cents,
        "capacity": snapshot.capacity,
        "status": snapshot.status,
        "conflicts": sorted(set(snapshot.conflicts)),
        "onsite_lat": onsite.lat if onsite else None,
        "onsite_lon": onsite.lon if onsite else None,
        "onsite_radius_km": onsite.radius_km if onsite else None,
        "availability": [asyncpg.Range(w.start, w.end) for w in windows],
        "on_call_until": _utc(snapshot.on_call_until) if snapshot.on_call_until else None,
        "home_jurisdiction_id": snapshot.home_jurisdiction_id,
        "firm": snapshot.firm,
        "time_zone": snapshot.time_zone,
        "regions": sorted(set(snapshot.regions)),
        "horizon_until": _utc(snapshot.horizon_until),
        "weekly_hours": float(snapshot.weekly_hours),
    }


def _expiries(mapping: dict[str, str | None]) -> dict[str, datetime | None]:
    return {k: (datetime.fromisoformat(v) if v else None) for k, v in mapping.items()}


def provider_view(row: Any, reliability: ReliabilityStats | None = None, *, full: bool = True) -> ProviderView:
    """The domain view of a providers row; `full=False` skips what only the hard filters read."""
    onsite = None
    certs: tuple[Certification, ...] = ()
    clearances: tuple[ClearanceGrant, ...] = ()
    available: tuple[TimeWindow, ...] = ()
    if full:
        if row["onsite_lat"] is not None:
            onsite = OnsiteArea(GeoPoint(row["onsite_lat"], row["onsite_lon"]), row["onsite_radius_km"])
        certs = tuple(Certification(k, v) for k, v in _expiries(row["cert_expiry"]).items())
        clearances = tuple(ClearanceGrant(Clearance(k), v) for k, v in _expiries(row["clearance_expiry"]).items())
        available = tuple(TimeWindow(r.lower, r.upper) for r in row["availability"] if r.lower and r.upper)
    return ProviderView(
        provider_id=row["provider_id"],
        roles=frozenset(_ROLES[r] for r in row["roles"] if r in _ROLES),
        home_jurisdiction_id=jurisdiction_key(row["home_jurisdiction_id"], row["firm"], row["provider_id"]),
        time_zone=row["time_zone"],
        hourly_rate_cents=row["hourly_rate_cents"],
        capacity=row["capacity"],
        skills=frozenset(row["skills"]),
        certifications=certs,
        clearances=clearances,
        regions=frozenset(row["regions"] or ()) if full else frozenset(),
        onsite_area=onsite,
        conflict_agency_ids=frozenset(row["conflicts"]) if full else frozenset(),
        available=available,
        on_call_until=row["on_call_until"],
        reliability=reliability or _NO_HISTORY,
        paused=row["status"] != ACTIVE,
        horizon_until=row["horizon_until"] if full else None,
        weekly_hours=row["weekly_hours"] if full else 0.0,
    )


def request_view(submitted: RequestSubmitted, agency_time_zone: str | None) -> RequestView:
    """The domain view of a submitted request (raises ValueError when it cannot be matched at all)."""
    location = submitted.location
    requirements = Requirements(
        role=submitted.role,
        max_hourly_rate_cents=submitted.max_hourly_rate_cents,
        required_skills=frozenset(s.lower() for s in submitted.required_skills),
        required_certifications=frozenset(submitted.certifications),
        required_clearances=frozenset(submitted.clearances),
        onsite=submitted.onsite,
        onsite_location=GeoPoint(location.lat, location.lon) if location else None,
    )
    if submitted.kind is RequestKind.INCIDENT:
        if submitted.expected_hours:
            hours = Decimal(str(submitted.expected_hours))
        else:
            seconds = (_utc(submitted.window_end) - _utc(submitted.window_start)).total_seconds()
            hours = Decimal(int(seconds)) / 3600
        return IncidentRequest(submitted.request_id, submitted.agency_id, submitted.severity or Severity.MEDIUM,
                               hours, requirements)
    hours_per_week = submitted.hours_per_week or 0
    return VacancyRequest(
        request_id=submitted.request_id,
        agency_id=submitted.agency_id,
        # Whole hours: a fraction of an hour more is asked of every week, never less.
        hours_per_week=int(-(-Decimal(str(hours_per_week)) // 1)),
        starts_on=submitted.start_date or _utc(submitted.window_start).date(),
        weeks=submitted.weeks or 1,
        time_zone=agency_time_zone or "UTC",
        requirements=requirements,
    )
