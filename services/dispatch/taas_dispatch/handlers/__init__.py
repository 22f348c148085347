"""Use cases: plain async functions taking a connection; the Kafka ones are listed in one table here."""

from collections.abc import Awaitable, Callable

import asyncpg

from taas_contracts.envelope import Envelope, EventPayload
from taas_contracts.events.availability import ProviderSnapshot
from taas_contracts.events.requests import AgencySnapshot, RequestCancelled, RequestSubmitted
from taas_dispatch.handlers import intake
from taas_dispatch.handlers.context import Deps

EventHandler = Callable[[asyncpg.Connection, Deps, EventPayload, Envelope], Awaitable[None]]

HANDLERS: dict[str, EventHandler] = {
    RequestSubmitted.EVENT_TYPE: intake.request_submitted,
    RequestCancelled.EVENT_TYPE: intake.request_cancelled,
    ProviderSnapshot.EVENT_TYPE: intake.provider_snapshot,
    AgencySnapshot.EVENT_TYPE: intake.agency_snapshot,
}
