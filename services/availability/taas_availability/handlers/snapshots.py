"""Every change ends here: availability recomputed, state saved with a new version, snapshot in the outbox."""

from datetime import datetime
from typing import Any

import asyncpg

from taas_availability.handlers.state import with_availability
from taas_availability.handlers.views import snapshot
from taas_availability.repository import exceptions as exceptions_repo
from taas_availability.repository import providers as repo
from taas_availability.settings import AvailabilitySettings
from taas_contracts.events.availability import ProviderSnapshot
from taas_kit import outbox

SOURCE = "/taas/availability"


async def publish(conn: asyncpg.Connection, settings: AvailabilitySettings, row: asyncpg.Record,
                  exceptions: list[asyncpg.Record]) -> None:
    """Write the provider's full snapshot to the outbox, keyed by provider id, in the caller's transaction."""
    envelope = snapshot(row, exceptions).envelope(source=SOURCE, subject=row["id"])
    await outbox.add(conn, settings.db_schema, [(settings.topic(ProviderSnapshot.TOPIC), row["id"], envelope)])


async def commit(conn: asyncpg.Connection, settings: AvailabilitySettings, provider_id: str, state: dict[str, Any],
                 now: datetime, *, new: bool = False) -> tuple[asyncpg.Record | None, list[asyncpg.Record]]:
    """Save a provider's new state (insert when `new`; None if the id is taken) and publish its snapshot."""
    exceptions = [] if new else await exceptions_repo.open_for(conn, provider_id, now)
    state = with_availability(state, exceptions, now, settings.horizon_days)
    row = await (repo.insert(conn, provider_id, state) if new else repo.save(conn, provider_id, state))
    if row is not None:
        await publish(conn, settings, row, exceptions)
    return row, exceptions
