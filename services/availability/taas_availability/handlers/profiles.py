"""Use cases of provider profiles: onboard, read, list, change (each change publishes a snapshot), issue tokens."""

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from taas_availability.api.profile_models import (OPS_ONLY_FIELDS, ProviderCreate, ProviderUpdate, TokenCreate,
                                                  TokenRead)
from taas_availability.api.read_models import ProviderPage, ProviderQuery, ProviderRead
from taas_availability.domain.credentials import Certification, ClearanceGrant
from taas_availability.domain.problems import FieldProblem
from taas_availability.domain.provider_input import RawWindow, check_windows, profile_problems
from taas_availability.handlers import credentials, snapshots
from taas_availability.handlers.errors import Conflict, Forbidden, Invalid, NotFound
from taas_availability.handlers.state import ACTIVE, OFFBOARDED, credentials_of, state_of
from taas_availability.handlers.views import provider_read
from taas_availability.repository import assignments as assignments_repo
from taas_availability.repository import exceptions as exceptions_repo
from taas_availability.repository import providers as repo
from taas_availability.settings import AvailabilitySettings
from taas_kit import auth, jsonutil
from taas_kit.auth import ApiRole, Principal

_PROFILE_KEYS = ("certifications", "clearances", "hourly_rate_cents", "home_jurisdiction_id", "firm", "capacity",
                 "regions", "onsite", "languages", "conflicts")


def _problems(roles: list[str], profile: dict[str, Any], time_zone: str) -> list[FieldProblem]:
    creds = credentials_of(profile["certifications"], profile["clearances"])
    return profile_problems(
        roles=roles, hourly_rate_cents=profile["hourly_rate_cents"], capacity=profile["capacity"],
        onsite_radius_km=(profile["onsite"] or {}).get("radius_km"),
        certifications=[c for c in creds if isinstance(c, Certification)],
        clearances=[c for c in creds if isinstance(c, ClearanceGrant)], time_zone=time_zone)


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


async def read(conn: asyncpg.Connection, row: asyncpg.Record, now: datetime) -> ProviderRead:
    """The API read of a stored provider (with its open exceptions and load)."""
    exceptions = await exceptions_repo.open_for(conn, row["id"], now)
    active = (await assignments_repo.active_counts(conn, [row["id"]])).get(row["id"], 0)
    return provider_read(row, exceptions, active)


async def create_provider(pool: asyncpg.Pool, settings: AvailabilitySettings, body: ProviderCreate,
                          now: datetime) -> ProviderRead:
    """Onboard a provider (ops) and publish their first snapshot."""
    data = body.model_dump(mode="json")
    profile = {k: data[k] for k in _PROFILE_KEYS}
    windows, window_problems = check_windows(body.time_zone, [RawWindow(w.day, w.start, w.end) for w in body.windows])
    # The zone is checked once, with the profile.
    problems = _problems(data["roles"], profile, body.time_zone)
    problems += [p for p in window_problems if p.field != "time_zone"]
    if problems:
        raise Invalid(problems)
    state = {"name": body.name, "time_zone": body.time_zone, "roles": _dedupe(data["roles"]),
             "skills": _dedupe(data["skills"]), "profile": profile,
             "windows": [{"day": w.weekday, "start": w.start_text, "end": w.end_text} for w in windows],
             "status": ACTIVE, "on_call_since": None, "on_call_until": None}
    provider_id = body.id or f"p-{uuid.uuid4().hex[:16]}"
    async with pool.acquire() as conn, conn.transaction():
        row, _ = await snapshots.commit(conn, settings, provider_id, state, now, new=True)
        if row is None:
            raise Conflict(f"provider {provider_id} already exists", code="provider_exists")
        await credentials.raise_alerts(conn, settings, provider_id, profile["certifications"],
                                       profile["clearances"], now.date())
        return await read(conn, row, now)


async def get_provider(pool: asyncpg.Pool, principal: Principal, provider_id: str, now: datetime) -> ProviderRead:
    """One provider: ops any, a provider itself only."""
    if not principal.owns(provider_id):
        raise NotFound("provider")
    async with pool.acquire() as conn:
        row = await repo.get(conn, provider_id)
        if row is None:
            raise NotFound("provider")
        return await read(conn, row, now)


async def update_provider(pool: asyncpg.Pool, settings: AvailabilitySettings, principal: Principal,
                          provider_id: str, body: ProviderUpdate, now: datetime) -> ProviderRead:
    """Change a profile (a provider what is theirs, ops anything) and publish the new snapshot."""
    if not principal.owns(provider_id):
        raise NotFound("provider")
    changes = body.model_dump(mode="json", exclude_unset=True)
    if principal.role is ApiRole.PROVIDER and (barred := sorted(OPS_ONLY_FIELDS & changes.keys())):
        raise Forbidden("only ops may change " + ", ".join(barred), fields=barred, code="ops_only_fields")
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.get(conn, provider_id, for_update=True)
        if row is None:
            raise NotFound("provider")
        if not changes:
            return await read(conn, row, now)
        if row["status"] == OFFBOARDED:
            raise Conflict("the provider is offboarded", code="provider_offboarded")
        state = state_of(row)
        profile = {**row["profile"], **{k: v for k, v in changes.items() if k in _PROFILE_KEYS}}
        state.update(profile=profile, name=changes.get("name", row["name"]),
                     time_zone=changes.get("time_zone", row["time_zone"]),
                     roles=_dedupe(changes.get("roles", row["roles"])),
                     skills=_dedupe(changes.get("skills", row["skills"])))
        if problems := _problems(state["roles"], profile, state["time_zone"]):
            raise Invalid(problems)
        row, _ = await snapshots.commit(conn, settings, provider_id, state, now)
        await credentials.raise_alerts(conn, settings, provider_id, profile["certifications"],
                                       profile["clearances"], now.date())
        return await read(conn, row, now)


def _encode_cursor(provider_id: str) -> str:
    return base64.urlsafe_b64encode(jsonutil.dumps([provider_id])).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        (provider_id,) = jsonutil.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(provider_id, str):
            raise ValueError("not a provider id")
        return provider_id
    except (ValueError, TypeError) as exc:
        raise Invalid([FieldProblem("cursor", "not a cursor this API returned")], where="query") from exc


async def list_providers(pool: asyncpg.Pool, settings: AvailabilitySettings, query: ProviderQuery,
                         now: datetime) -> ProviderPage:
    """A page of providers matching the filters, by id (ops)."""
    after = _decode_cursor(query.cursor) if query.cursor else None
    limit = min(query.limit or settings.page_size_default, settings.page_size_max)
    if query.available_at is not None:
        at = query.available_at if query.available_at.tzinfo else query.available_at.replace(tzinfo=UTC)
        if at > now + timedelta(days=settings.horizon_days - settings.horizon_slack_hours / 24):
            raise Invalid([FieldProblem("available_at", "is beyond the availability horizon")], where="query")
        query = query.model_copy(update={"available_at": at})
    async with pool.acquire() as conn:
        rows = await repo.page(conn, role=query.role.value if query.role else None, skill=query.skill,
                               certification=query.certification, available_at=query.available_at,
                               status=query.status, after_id=after, limit=limit + 1)
        more, rows = len(rows) > limit, rows[:limit]
        ids = [r["id"] for r in rows]
        by_provider: dict[str, list[asyncpg.Record]] = {}
        for e in await exceptions_repo.open_for_many(conn, ids, now):
            by_provider.setdefault(e["provider_id"], []).append(e)
        counts = await assignments_repo.active_counts(conn, ids)
    items = [provider_read(r, by_provider.get(r["id"], []), counts.get(r["id"], 0)) for r in rows]
    return ProviderPage(items=items, next_cursor=_encode_cursor(rows[-1]["id"]) if more and rows else None)


async def issue_token(pool: asyncpg.Pool, settings: AvailabilitySettings, provider_id: str, body: TokenCreate,
                      now: datetime) -> TokenRead:
    """A signed provider token (tenant = provider id) for a provider not offboarded (ops)."""
    async with pool.acquire() as conn:
        row = await repo.get(conn, provider_id)
    if row is None:
        raise NotFound("provider")
    if row["status"] == OFFBOARDED:
        raise Conflict("the provider is offboarded", code="provider_offboarded")
    ttl = body.ttl_days * 86400
    token = auth.issue(settings.auth_secret, ApiRole.PROVIDER, tenant=provider_id, ttl_seconds=ttl,
                       now=now.timestamp())
    return TokenRead(provider_id=provider_id, role="provider", token=token,
                     expires_at=datetime.fromtimestamp(int(now.timestamp()) + ttl, UTC))
