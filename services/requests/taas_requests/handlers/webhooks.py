"""Use cases of webhooks: register, list, read, delete, read the delivery log."""

import secrets
import uuid

import asyncpg

from taas_kit.auth import Principal
from taas_requests.api.webhook_models import DeliveryQuery, DeliveryRead, WebhookCreate, WebhookRead
from taas_requests.handlers.errors import Forbidden, NotFound
from taas_requests.handlers.views import delivery_read, webhook_read
from taas_requests.repository import agencies as agencies_repo
from taas_requests.repository import webhooks as repo


async def create_webhook(pool: asyncpg.Pool, principal: Principal, body: WebhookCreate) -> WebhookRead:
    """Register a URL for the caller's agency; the signing secret is returned this once."""
    async with pool.acquire() as conn, conn.transaction():
        agency = await agencies_repo.get(conn, principal.tenant)
        if agency is None or not agency["active"]:
            raise Forbidden("the agency of this token is unknown or offboarded", code="agency_inactive")
        row = await repo.insert(conn, uuid.uuid4(), principal.tenant, str(body.url), "whsec_" + secrets.token_hex(24),
                                list(dict.fromkeys(e.value for e in body.events)), body.description)
    return webhook_read(row, with_secret=True)


async def _owned(conn: asyncpg.Connection, principal: Principal, hook_id: uuid.UUID | None) -> asyncpg.Record:
    row = await repo.get(conn, hook_id) if hook_id else None
    if row is None or not principal.owns(row["agency_id"]):
        raise NotFound("webhook")
    return row


async def list_webhooks(pool: asyncpg.Pool, principal: Principal) -> list[WebhookRead]:
    """The caller's webhooks (ops: all)."""
    tenant = principal.tenant if principal.role.value == "agency" else None
    async with pool.acquire() as conn:
        return [webhook_read(r) for r in await repo.list_live(conn, tenant)]


async def get_webhook(pool: asyncpg.Pool, principal: Principal, hook_id: uuid.UUID | None) -> WebhookRead:
    """One webhook of the caller's agency."""
    async with pool.acquire() as conn:
        return webhook_read(await _owned(conn, principal, hook_id))


async def delete_webhook(pool: asyncpg.Pool, principal: Principal, hook_id: uuid.UUID | None) -> None:
    """Stop delivering to a webhook (its pending deliveries are abandoned)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _owned(conn, principal, hook_id)
        await repo.delete(conn, row["id"])


async def list_deliveries(pool: asyncpg.Pool, principal: Principal, hook_id: uuid.UUID | None,
                          query: DeliveryQuery) -> list[DeliveryRead]:
    """The delivery log of a webhook, newest first."""
    async with pool.acquire() as conn:
        row = await _owned(conn, principal, hook_id)
        return [delivery_read(r) for r in await repo.deliveries(conn, row["id"], query.status, query.limit)]
