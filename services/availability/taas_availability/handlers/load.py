"""Use cases of a provider's load: assignment events applied, and what a provider and ops read."""

from datetime import datetime

import asyncpg

from taas_availability.api.read_models import EngagementRead, LoadRead
from taas_availability.handlers.errors import NotFound
from taas_availability.handlers.views import load_summary
from taas_availability.repository import assignments as repo
from taas_availability.repository import providers as providers_repo
from taas_contracts.envelope import Envelope
from taas_contracts.events import parse_payload
from taas_contracts.events.dispatch import AssignmentCompleted, AssignmentCreated, AssignmentReleased
from taas_kit.auth import Principal

HANDLED_TYPES = frozenset({AssignmentCreated.EVENT_TYPE, AssignmentCompleted.EVENT_TYPE,
                           AssignmentReleased.EVENT_TYPE})


async def on_assignment_event(conn: asyncpg.Connection, envelope: Envelope) -> None:
    """Apply one assignment event in the consumer's transaction (the inbox has already skipped duplicates)."""
    if envelope.type not in HANDLED_TYPES:
        return
    event = parse_payload(envelope)  # a ValidationError dead-letters the message with its reason
    common = dict(assignment_id=event.assignment_id, provider_id=event.provider_id, request_id=event.request_id,
                  agency_id=event.agency_id)
    if isinstance(event, AssignmentCreated):
        await repo.record_created(conn, **common, role=event.role.value, window_start=event.window_start,
                                  window_end=event.window_end, assigned_at=event.at)
    else:
        status = "completed" if isinstance(event, AssignmentCompleted) else "released"
        await repo.record_ended(conn, **common, status=status, ended_at=event.at)


async def get_load(pool: asyncpg.Pool, principal: Principal, provider_id: str, now: datetime) -> LoadRead:
    """A provider's active engagements and remaining capacity (ops, or the provider itself)."""
    if not principal.owns(provider_id):
        raise NotFound("provider")
    async with pool.acquire() as conn:
        row = await providers_repo.get(conn, provider_id)
        if row is None:
            raise NotFound("provider")
        active = await repo.active_for(conn, provider_id)
    capacity = row["profile"]["capacity"]
    summary = load_summary(capacity, len(active))
    return LoadRead(provider_id=provider_id, capacity=capacity, active_engagements=summary.active_engagements,
                    remaining_capacity=summary.remaining_capacity,
                    engagements=[EngagementRead(**{k: a[k] for k in EngagementRead.model_fields}) for a in active])
