"""Use cases of agencies: create, read, list, change (each change publishes a snapshot), issue tokens."""

import uuid
from datetime import UTC, datetime

import asyncpg

from taas_contracts.events.requests import AgencySnapshot
from taas_kit import auth, outbox
from taas_kit.auth import Principal
from taas_requests.api.agency_models import AgencyCreate, AgencyRead, AgencyUpdate, TokenCreate, TokenRead
from taas_requests.handlers.errors import Conflict, NotFound
from taas_requests.handlers.views import agency_read, agency_snapshot
from taas_requests.repository import agencies as repo
from taas_requests.settings import RequestsSettings

SOURCE = "/taas/requests"


async def _publish_snapshot(conn: asyncpg.Connection, settings: RequestsSettings, row: asyncpg.Record) -> None:
    envelope = agency_snapshot(row).envelope(source=SOURCE, subject=row["id"], tenant=row["id"])
    await outbox.add(conn, settings.db_schema, [(settings.topic(AgencySnapshot.TOPIC), row["id"], envelope)])


async def create_agency(pool: asyncpg.Pool, settings: RequestsSettings, body: AgencyCreate) -> AgencyRead:
    """Onboard an agency and publish its first snapshot."""
    agency_id = body.id or str(uuid.uuid4())
    profile = body.model_dump(mode="json", exclude={"id", "name", "time_zone"})
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.insert(conn, agency_id, body.name, body.time_zone, profile)
        if row is None:
            raise Conflict(f"agency {agency_id} already exists", code="agency_exists")
        await _publish_snapshot(conn, settings, row)
    return agency_read(row)


async def get_agency(pool: asyncpg.Pool, principal: Principal, agency_id: str) -> AgencyRead:
    """One agency: ops any, an agency itself only."""
    if not principal.owns(agency_id):
        raise NotFound("agency")
    async with pool.acquire() as conn:
        row = await repo.get(conn, agency_id)
    if row is None:
        raise NotFound("agency")
    return agency_read(row)


async def list_agencies(pool: asyncpg.Pool, active: bool | None) -> list[AgencyRead]:
    """Every agency (ops)."""
    async with pool.acquire() as conn:
        return [agency_read(r) for r in await repo.list_all(conn, active)]


async def update_agency(pool: asyncpg.Pool, settings: RequestsSettings, agency_id: str,
                        body: AgencyUpdate) -> AgencyRead:
    """Change an agency (ops) and publish its new snapshot."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.get(conn, agency_id, for_update=True)
        if row is None:
            raise NotFound("agency")
        if not changes:
            return agency_read(row)
        profile = {**row["profile"], **{k: v for k, v in changes.items() if k not in {"name", "time_zone", "active"}}}
        row = await repo.update(conn, agency_id, changes.get("name") or row["name"],
                                changes.get("time_zone") or row["time_zone"], profile,
                                row["active"] if changes.get("active") is None else changes["active"])
        await _publish_snapshot(conn, settings, row)
    return agency_read(row)


async def issue_token(pool: asyncpg.Pool, settings: RequestsSettings, agency_id: str, body: TokenCreate,
                      now: datetime) -> TokenRead:
    """A signed agency token for an active agency (verified by every service without a call)."""
    async with pool.acquire() as conn:
        row = await repo.get(conn, agency_id)
    if row is None:
        raise NotFound("agency")
    if not row["active"]:
        raise Conflict("the agency is offboarded", code="agency_inactive")
    ttl = body.ttl_days * 86400
    token = auth.issue(settings.auth_secret, auth.ApiRole.AGENCY, tenant=agency_id, ttl_seconds=ttl,
                       now=now.timestamp())
    return TokenRead(agency_id=agency_id, role="agency", token=token,
                     expires_at=datetime.fromtimestamp(int(now.timestamp()) + ttl, UTC))


