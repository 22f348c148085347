"""Stored rows as API reads and as the snapshot published on the provider topic."""

from collections.abc import Iterable

import asyncpg

from taas_availability.api.read_models import ExceptionRead, LoadSummary, ProviderRead, WindowRead
from taas_availability.domain.schedule import Schedule, weekly_hours
from taas_availability.handlers.state import windows_of
from taas_contracts.events.availability import (Certification, ClearanceGrant, OnsiteArea, ProviderSnapshot,
                                                ScheduleException, WeeklyWindow)


def load_summary(capacity: int, active: int) -> LoadSummary:
    """Active engagements and what capacity is left."""
    return LoadSummary(active_engagements=active, remaining_capacity=max(0, capacity - active))


def exception_read(row: asyncpg.Record) -> ExceptionRead:
    """The API read of an exception."""
    return ExceptionRead(id=str(row["id"]), kind=row["kind"], start=row["start_at"], end=row["end_at"],
                         note=row["note"])


def _weekly_hours(row: asyncpg.Record) -> float:
    return float(weekly_hours(Schedule(row["time_zone"], windows_of(row["windows"]))))


def provider_read(row: asyncpg.Record, exceptions: Iterable[asyncpg.Record], active: int) -> ProviderRead:
    """The API read of a provider with its open exceptions and load."""
    p = row["profile"]
    return ProviderRead(
        id=row["id"], name=row["name"], roles=row["roles"], skills=row["skills"],
        certifications=p["certifications"], clearances=p["clearances"], hourly_rate_cents=p["hourly_rate_cents"],
        home_jurisdiction_id=p.get("home_jurisdiction_id"), firm=p.get("firm"), time_zone=row["time_zone"],
        capacity=p["capacity"], regions=p["regions"], onsite=p.get("onsite"), languages=p["languages"],
        conflicts=p["conflicts"], windows=[WindowRead(**w) for w in row["windows"]],
        exceptions=[exception_read(e) for e in exceptions], status=row["status"],
        on_call_until=row["on_call_until"], weekly_hours=_weekly_hours(row), horizon_until=row["horizon_until"],
        version=row["version"], load=load_summary(p["capacity"], active), created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def snapshot(row: asyncpg.Record, exceptions: Iterable[asyncpg.Record]) -> ProviderSnapshot:
    """The full snapshot of a stored provider (its availability as last computed)."""
    p = row["profile"]
    return ProviderSnapshot(
        provider_id=row["id"], name=row["name"], roles=row["roles"], skills=row["skills"],
        certifications=[Certification(**c) for c in p["certifications"]],
        clearances=[ClearanceGrant(**c) for c in p["clearances"]],
        hourly_rate_cents=p["hourly_rate_cents"], home_jurisdiction_id=p.get("home_jurisdiction_id"),
        firm=p.get("firm"), time_zone=row["time_zone"], capacity=p["capacity"], regions=p["regions"],
        onsite=OnsiteArea(**p["onsite"]) if p.get("onsite") else None, languages=p["languages"],
        conflicts=p["conflicts"], windows=[WeeklyWindow(**w) for w in row["windows"]],
        exceptions=[ScheduleException(id=str(e["id"]), kind=e["kind"], start=e["start_at"], end=e["end_at"],
                                      note=e["note"]) for e in exceptions],
        on_call_until=row["on_call_until"], status=row["status"], weekly_hours=_weekly_hours(row),
        availability=[(r.lower, r.upper) for r in row["availability"]], horizon_until=row["horizon_until"],
        version=row["version"],
    )
