"""Use cases of a provider's time: weekly schedule, dated exceptions, status and on-call, each publishing a snapshot."""

import uuid
from datetime import datetime

import asyncpg

from taas_availability.api.read_models import ExceptionRead, ProviderRead
from taas_availability.api.schedule_models import ExceptionCreate, ScheduleUpdate, StatusName, StatusUpdate
from taas_availability.domain.problems import FieldProblem
from taas_availability.domain.provider_input import (RawWindow, check_exception, check_windows, on_call_problems)
from taas_availability.handlers import snapshots
from taas_availability.handlers.errors import Conflict, Forbidden, Invalid, NotFound
from taas_availability.handlers.profiles import read
from taas_availability.handlers.state import ACTIVE, OFFBOARDED, PAUSED, state_of
from taas_availability.handlers.views import exception_read
from taas_availability.repository import exceptions as exceptions_repo
from taas_availability.repository import providers as repo
from taas_availability.settings import AvailabilitySettings
from taas_kit.auth import ApiRole, Principal


async def _locked(conn: asyncpg.Connection, principal: Principal, provider_id: str) -> asyncpg.Record:
    """The caller's provider row, locked; a foreign or unknown id is NotFound; an offboarded one cannot change."""
    if not principal.owns(provider_id):
        raise NotFound("provider")
    row = await repo.get(conn, provider_id, for_update=True)
    if row is None:
        raise NotFound("provider")
    if row["status"] == OFFBOARDED:
        raise Conflict("the provider is offboarded", code="provider_offboarded")
    return row


async def put_schedule(pool: asyncpg.Pool, settings: AvailabilitySettings, principal: Principal, provider_id: str,
                       body: ScheduleUpdate, now: datetime) -> ProviderRead:
    """Replace the weekly schedule (and optionally the zone it is read in)."""
    raw = [RawWindow(w.day, w.start, w.end) for w in body.windows]
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, principal, provider_id)
        time_zone = body.time_zone or row["time_zone"]
        windows, problems = check_windows(time_zone, raw)
        if problems:
            raise Invalid(problems)
        state = state_of(row)
        state.update(time_zone=time_zone,
                     windows=[{"day": w.weekday, "start": w.start_text, "end": w.end_text} for w in windows])
        row, _ = await snapshots.commit(conn, settings, provider_id, state, now)
        return await read(conn, row, now)


async def add_exception(pool: asyncpg.Pool, settings: AvailabilitySettings, principal: Principal, provider_id: str,
                        body: ExceptionCreate, now: datetime) -> ExceptionRead:
    """Add a dated exception (blocked or extra time)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, principal, provider_id)
        start, end, problems = check_exception(row["time_zone"], body.start, body.end, now)
        if problems:
            raise Invalid(problems)
        if await exceptions_repo.count_open(conn, provider_id, now) >= settings.max_exceptions_per_provider:
            raise Conflict(f"at most {settings.max_exceptions_per_provider} open exceptions per provider",
                           code="too_many_exceptions")
        created = await exceptions_repo.insert(conn, uuid.uuid4(), provider_id, body.kind.value, start, end, body.note)
        await snapshots.commit(conn, settings, provider_id, state_of(row), now)
        return exception_read(created)


async def delete_exception(pool: asyncpg.Pool, settings: AvailabilitySettings, principal: Principal,
                           provider_id: str, exception_id: str, now: datetime) -> None:
    """Remove a dated exception."""
    try:
        key = uuid.UUID(exception_id)
    except ValueError:
        raise NotFound("exception") from None
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, principal, provider_id)
        if not await exceptions_repo.delete(conn, provider_id, key):
            raise NotFound("exception")
        await snapshots.commit(conn, settings, provider_id, state_of(row), now)


async def set_status(pool: asyncpg.Pool, settings: AvailabilitySettings, principal: Principal, provider_id: str,
                     body: StatusUpdate, now: datetime) -> ProviderRead:
    """Active, paused, on call now until T, or offboarded (ops only; final)."""
    if body.status is StatusName.OFFBOARDED and principal.role is not ApiRole.OPS:
        raise Forbidden("only ops may offboard a provider", code="ops_only_status")
    if body.status is not StatusName.ON_CALL and body.on_call_until is not None:
        raise Invalid([FieldProblem("on_call_until", "is only allowed with status on_call")])
    if body.status is StatusName.ON_CALL and (problems := on_call_problems(body.on_call_until, now,
                                                                            settings.horizon_days)):
        raise Invalid(problems)
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, principal, provider_id)
        state = state_of(row)
        if body.status is StatusName.ON_CALL:
            state.update(status=ACTIVE, on_call_since=now, on_call_until=body.on_call_until)
        else:
            status = {StatusName.ACTIVE: ACTIVE, StatusName.PAUSED: PAUSED, StatusName.OFFBOARDED: OFFBOARDED}
            state.update(status=status[body.status], on_call_since=None, on_call_until=None)
        row, _ = await snapshots.commit(conn, settings, provider_id, state, now)
        return await read(conn, row, now)
