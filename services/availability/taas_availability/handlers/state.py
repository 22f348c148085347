"""A provider's stored state as the domain sees it, and its availability over the horizon."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from taas_availability.domain.availability import available_intervals
from taas_availability.domain.credentials import Certification, ClearanceGrant, Credential
from taas_availability.domain.intervals import Interval
from taas_availability.domain.schedule import DatedException, ExceptionKind, Schedule, WeeklyWindow
from taas_availability.repository.providers import MUTABLE
from taas_contracts.catalog import Clearance

ACTIVE, PAUSED, OFFBOARDED = "active", "paused", "offboarded"


def state_of(row: asyncpg.Record) -> dict[str, Any]:
    """The mutable columns of a stored provider, as a dict a use case changes and saves."""
    return {c: row[c] for c in MUTABLE}


def windows_of(stored: Iterable[dict[str, Any]]) -> tuple[WeeklyWindow, ...]:
    """Stored weekly windows as the domain's (they were validated on the way in)."""
    return tuple(WeeklyWindow.of(w["day"], w["start"], w["end"]) for w in stored)


def exceptions_of(rows: Iterable[asyncpg.Record]) -> tuple[DatedException, ...]:
    """Stored exception rows as the domain's (aware UTC instants)."""
    return tuple(DatedException(ExceptionKind(r["kind"]), r["start_at"], r["end_at"], str(r["id"])) for r in rows)


def schedule_of(state: dict[str, Any], exceptions: Iterable[asyncpg.Record]) -> Schedule:
    """The domain schedule of a provider's state; anything but active counts as paused."""
    return Schedule(
        time_zone=state["time_zone"],
        windows=windows_of(state["windows"]),
        exceptions=exceptions_of(exceptions),
        on_call_until=state["on_call_until"],
        on_call_since=state["on_call_since"],
        paused=state["status"] != ACTIVE,
    )


def availability(state: dict[str, Any], exceptions: Iterable[asyncpg.Record], now: datetime,
                 horizon_days: int) -> tuple[list[Interval], datetime]:
    """Merged UTC intervals available from `now` to the horizon, and the horizon's end."""
    until = now + timedelta(days=horizon_days)
    return available_intervals(schedule_of(state, exceptions), now, until), until


def with_availability(state: dict[str, Any], exceptions: Iterable[asyncpg.Record], now: datetime,
                      horizon_days: int) -> dict[str, Any]:
    """The state with its availability and horizon recomputed as of `now`."""
    intervals, until = availability(state, exceptions, now, horizon_days)
    return {**state, "availability": [asyncpg.Range(a, b) for a, b in intervals], "horizon_until": until}


def credentials_of(certifications: Iterable[dict[str, Any]], clearances: Iterable[dict[str, Any]]) -> list[Credential]:
    """Stored certifications and clearances as the domain's credentials."""
    found: list[Credential] = [
        Certification(c["name"], c.get("issuer", ""), _date(c.get("expires_on"))) for c in certifications
    ]
    found.extend(ClearanceGrant(Clearance(c["kind"]), _date(c.get("expires_on"))) for c in clearances)
    return found


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
