"""Hard filters, as reference code: every reason a provider cannot take a request ("why not X")."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from taas_dispatch.domain.geo import haversine_km
from taas_dispatch.domain.time_windows import TimeWindow, covered_duration, covers, peak_concurrency
from taas_dispatch.domain.views import (
    ActiveEngagement,
    IncidentRequest,
    ProviderView,
    RequestView,
    VacancyRequest,
)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One reason a provider was excluded: a machine-readable `code` and a human `message`."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Serialise for the dispatch log."""
        return {"code": self.code, "message": self.message}


def _valid_through(expires_at: datetime | None, window: TimeWindow) -> bool:
    """A credential is good for the window when it does not lapse before the window ends."""
    return expires_at is None or expires_at >= window.end


def _iso(moment: datetime | None) -> str:
    return "never" if moment is None else moment.isoformat()


def _credential_exclusions(provider: ProviderView, request: RequestView, window: TimeWindow) -> list[Exclusion]:
    exclusions = []
    held_certifications = {cert.name: cert.expires_at for cert in provider.certifications}
    for name in sorted(request.requirements.required_certifications):
        if name not in held_certifications:
            exclusions.append(Exclusion(f"certification_missing:{name}", f"does not hold {name}"))
        elif not _valid_through(held_certifications[name], window):
            exclusions.append(
                Exclusion(
                    f"certification_expires:{name}",
                    f"{name} expires {_iso(held_certifications[name])}, before the engagement "
                    f"ends {window.end.isoformat()}",
                )
            )
    held_clearances = {grant.clearance: grant.expires_at for grant in provider.clearances}
    for clearance in sorted(request.requirements.required_clearances):
        if clearance not in held_clearances:
            exclusions.append(Exclusion(f"clearance_missing:{clearance}", f"does not hold {clearance} clearance"))
        elif not _valid_through(held_clearances[clearance], window):
            exclusions.append(
                Exclusion(
                    f"clearance_expires:{clearance}",
                    f"{clearance} clearance expires {_iso(held_clearances[clearance])}, before the engagement "
                    f"ends {window.end.isoformat()}",
                )
            )
    return exclusions


def _availability_windows(provider: ProviderView, now: datetime) -> list[TimeWindow]:
    windows = list(provider.available)
    if provider.is_on_call(now):
        assert provider.on_call_until is not None
        windows.append(TimeWindow(now, provider.on_call_until))
    return windows


def week_hours(provider: ProviderView, windows: list[TimeWindow], week: TimeWindow) -> timedelta:
    """Hours a provider offers in `week`: what the snapshot covers up to its horizon, the weekly pattern after it.

    The snapshot's availability stops at `horizon_until` (60 days ahead), so the part of a week past it is
    judged by the scheduled weekly hours, pro rata, rather than read as unavailable.
    """
    horizon = provider.horizon_until
    if horizon is None or week.end <= horizon:
        return covered_duration(windows, week)
    known = covered_duration(windows, TimeWindow(week.start, horizon)) if week.start < horizon else timedelta()
    beyond = week.end - max(week.start, horizon)
    return known + timedelta(hours=provider.weekly_hours * (beyond / week.duration))


def _is_available(provider: ProviderView, request: RequestView, window: TimeWindow, now: datetime) -> bool:
    """Incidents need the whole window covered; vacancies need their weekly hours in every week."""
    windows = _availability_windows(provider, now)
    if isinstance(request, IncidentRequest):
        return covers(windows, window)
    needed = timedelta(hours=request.hours_per_week)
    return all(week_hours(provider, windows, week) >= needed for week in request.week_windows())


def _onsite_exclusion(provider: ProviderView, request: RequestView) -> Exclusion | None:
    needs = request.requirements
    if not needs.onsite or needs.onsite_location is None:
        return None
    if provider.onsite_area is None:
        return Exclusion("outside_onsite_radius", "does not work onsite")
    distance = haversine_km(provider.onsite_area.center, needs.onsite_location)
    if distance > provider.onsite_area.radius_km:
        return Exclusion(
            "outside_onsite_radius",
            f"site is {distance:.1f} km away, beyond the {provider.onsite_area.radius_km:g} km radius",
        )
    return None


def exclusion_reasons(
    provider: ProviderView,
    request: RequestView,
    now: datetime,
    active_engagements: Iterable[ActiveEngagement],
) -> list[Exclusion]:
    """Every hard constraint `provider` fails for `request` at `now`; empty means eligible."""
    window = request.engagement_window(now)
    needs = request.requirements
    exclusions: list[Exclusion] = []
    if provider.paused:
        exclusions.append(Exclusion("paused", "provider has paused new work"))
    if needs.role not in provider.roles:
        exclusions.append(Exclusion("role_mismatch", f"does not work as {needs.role}"))
    exclusions.extend(_credential_exclusions(provider, request, window))
    if not _is_available(provider, request, window, now):
        exclusions.append(Exclusion("not_available_in_window", _availability_message(request, window)))
    own = [e.window for e in active_engagements if e.provider_id == provider.provider_id]
    if peak_concurrency(own, window) >= provider.capacity:
        exclusions.append(
            Exclusion("at_capacity", f"already holds {provider.capacity} overlapping engagement(s), the capacity")
        )
    if provider.hourly_rate_cents > needs.max_hourly_rate_cents:
        exclusions.append(
            Exclusion(
                "rate_above_cap",
                f"rate {provider.hourly_rate_cents} cents/h is above the cap of {needs.max_hourly_rate_cents}",
            )
        )
    onsite = _onsite_exclusion(provider, request)
    if onsite is not None:
        exclusions.append(onsite)
    if request.agency_id in provider.conflict_agency_ids:
        exclusions.append(
            Exclusion("conflict_of_interest", f"declared a conflict of interest with {request.agency_id}")
        )
    return exclusions


def _availability_message(request: RequestView, window: TimeWindow) -> str:
    if isinstance(request, VacancyRequest):
        weeks = f"{window.start:%Y-%m-%d} .. {window.end:%Y-%m-%d}"
        return f"not available {request.hours_per_week} h in every week of {weeks}"
    return f"not available for the whole window {window.start.isoformat()} .. {window.end.isoformat()}"


def is_eligible(
    provider: ProviderView,
    request: RequestView,
    now: datetime,
    active_engagements: Iterable[ActiveEngagement],
) -> bool:
    """True when no hard constraint excludes `provider`."""
    return not exclusion_reasons(provider, request, now, active_engagements)
