"""Use cases of expiring credentials: list them, and raise one CredentialExpiring per credential and expiry date."""

from datetime import date
from typing import Any

import asyncpg

from taas_availability.api.read_models import ExpiringCredentialRead
from taas_availability.domain.credentials import Certification, expiring_credentials
from taas_availability.handlers.errors import NotFound
from taas_availability.handlers.snapshots import SOURCE
from taas_availability.handlers.state import credentials_of
from taas_availability.repository import alerts as alerts_repo
from taas_availability.repository import providers as repo
from taas_availability.settings import AvailabilitySettings
from taas_contracts.events.availability import CredentialExpiring
from taas_kit import outbox
from taas_kit.auth import Principal

_PAGE = 500


def _expiring(provider_id: str, certifications: list[dict[str, Any]], clearances: list[dict[str, Any]],
              today: date, within_days: int) -> list[ExpiringCredentialRead]:
    found = expiring_credentials(credentials_of(certifications, clearances), today, within_days)
    reads = []
    for item in found:
        cred = item.credential
        is_cert = isinstance(cred, Certification)
        reads.append(ExpiringCredentialRead(
            provider_id=provider_id, kind="certification" if is_cert else "clearance",
            credential=cred.name if is_cert else cred.kind.value, issuer=cred.issuer if is_cert else None,
            expires_on=item.expires_on, days_left=item.days_left, expired=item.expired))
    return reads


async def raise_alerts(conn: asyncpg.Connection, settings: AvailabilitySettings, provider_id: str,
                       certifications: list[dict[str, Any]], clearances: list[dict[str, Any]], today: date) -> int:
    """Write a CredentialExpiring event for each expiring credential not alerted for this expiry date yet."""
    events = []
    for item in _expiring(provider_id, certifications, clearances, today, settings.credential_warning_days):
        if await alerts_repo.claim(conn, provider_id, item.kind, item.credential, item.expires_on):
            payload = CredentialExpiring(provider_id=provider_id, credential=item.credential, kind=item.kind,
                                         expires_on=item.expires_on)
            events.append((settings.topic(CredentialExpiring.TOPIC), provider_id,
                           payload.envelope(source=SOURCE, subject=provider_id)))
    await outbox.add(conn, settings.db_schema, events)
    return len(events)


async def check_all(pool: asyncpg.Pool, settings: AvailabilitySettings, today: date) -> int:
    """Raise the alerts every provider is due (safe to run on several instances at once); returns how many."""
    raised, after = 0, None
    while True:
        async with pool.acquire() as conn:
            rows = await repo.credentials_page(conn, after, _PAGE)
        for row in rows:
            async with pool.acquire() as conn, conn.transaction():
                raised += await raise_alerts(conn, settings, row["id"], row["certifications"], row["clearances"],
                                             today)
        if len(rows) < _PAGE:
            return raised
        after = rows[-1]["id"]


async def expiring_for(pool: asyncpg.Pool, settings: AvailabilitySettings, principal: Principal, provider_id: str,
                       within_days: int | None, today: date) -> list[ExpiringCredentialRead]:
    """One provider's credentials expiring within the horizon (ops, or the provider itself)."""
    if not principal.owns(provider_id):
        raise NotFound("provider")
    async with pool.acquire() as conn:
        row = await repo.get(conn, provider_id)
    if row is None:
        raise NotFound("provider")
    days = settings.credential_warning_days if within_days is None else within_days
    return _expiring(provider_id, row["profile"]["certifications"], row["profile"]["clearances"], today, days)


async def expiring_all(pool: asyncpg.Pool, settings: AvailabilitySettings, within_days: int | None,
                       today: date) -> list[ExpiringCredentialRead]:
    """Every provider's credentials expiring within the horizon, soonest first (ops)."""
    days = settings.credential_warning_days if within_days is None else within_days
    found: list[ExpiringCredentialRead] = []
    after = None
    while True:
        async with pool.acquire() as conn:
            rows = await repo.credentials_page(conn, after, _PAGE)
        for row in rows:
            found.extend(_expiring(row["id"], row["certifications"], row["clearances"], today, days))
        if len(rows) < _PAGE:
            break
        after = rows[-1]["id"]
    return sorted(found, key=lambda r: (r.expires_on, r.provider_id, r.kind, r.credential))
