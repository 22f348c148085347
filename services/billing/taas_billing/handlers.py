"""Event use cases: each dispatch or agency event turned into billing state, listed in one table."""

from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg

from taas_billing.billable import Billable
from taas_billing.billing import agency_hours, bill
from taas_billing.repository import agencies, assignments
from taas_billing.settings import BillingSettings
from taas_contracts.catalog import RequestKind, Severity
from taas_contracts.envelope import Envelope, EventPayload
from taas_contracts.events.dispatch import AssignmentCompleted, AssignmentCreated, AssignmentReleased, TimeLogged
from taas_contracts.events.requests import AgencySnapshot
from taas_kit.consumer import PoisonMessage
from taas_kit.logging import get_logger

log = get_logger("taas.billing.handlers")

EventHandler = Callable[[asyncpg.Connection, BillingSettings, EventPayload, Envelope], Awaitable[None]]
_UNBILLED = ("assigned", "released")


async def assignment_created(conn: asyncpg.Connection, settings: BillingSettings, event: AssignmentCreated,
                             envelope: Envelope) -> None:
    """Remember a booking: who, for whom, at which rate."""
    await assignments.record_created(conn, event, envelope.id)


async def time_logged(conn: asyncpg.Connection, settings: BillingSettings, event: TimeLogged,
                      envelope: Envelope) -> None:
    """Keep logged time, billed only if the assignment is released before it completes."""
    entry = event.entry
    await assignments.record_time(conn, event.assignment_id, entry.entry_id, entry.started_at, entry.ended_at,
                                  envelope.id)


async def assignment_completed(conn: asyncpg.Connection, settings: BillingSettings, event: AssignmentCompleted,
                               envelope: Envelope) -> None:
    """Bill a completed assignment from the event alone, or park it until its agency is known."""
    work = Billable.from_completed(event, envelope.id)
    _check(work)
    await agencies.lock(conn, work.agency_id)
    await assignments.ensure(conn, {
        "assignment_id": event.assignment_id, "request_id": event.request_id, "agency_id": event.agency_id,
        "provider_id": event.provider_id, "lending_jurisdiction_id": event.provider_home_jurisdiction_id,
        "provider_firm": event.provider_firm, "rate_cents": event.rate_cents, "kind": event.kind.value,
        "severity": event.severity.value if event.severity else None,
    })
    await _bill_or_park(conn, settings, work)


async def assignment_released(conn: asyncpg.Connection, settings: BillingSettings, event: AssignmentReleased,
                              envelope: Envelope) -> None:
    """A release ends the assignment; time logged before it is billed like a completion."""
    await agencies.lock(conn, event.agency_id)
    row = await assignments.get(conn, event.assignment_id, for_update=True)
    if row is None or row["status"] not in _UNBILLED:
        return
    entries = await assignments.time_entries(conn, event.assignment_id)
    if not entries:
        await assignments.set_status(conn, event.assignment_id, "released")
        return
    work = Billable(
        assignment_id=row["assignment_id"], request_id=row["request_id"], agency_id=row["agency_id"],
        provider_id=row["provider_id"], lending_jurisdiction_id=row["lending_jurisdiction_id"],
        rate_cents=row["rate_cents"], kind=RequestKind(row["kind"]),
        severity=Severity(row["severity"]) if row["severity"] else None, entries=tuple(entries),
        source_event_id=envelope.id, at=event.at,
    )
    _check(work)
    await _bill_or_park(conn, settings, work)


async def agency_snapshot(conn: asyncpg.Connection, settings: BillingSettings, event: AgencySnapshot,
                          envelope: Envelope) -> None:
    """Keep the agency's calendar and cap; bill any work that was waiting for them."""
    _check_calendar(event)
    await agencies.lock(conn, event.agency_id)
    await agencies.upsert(conn, event, envelope.id)
    agency = await agencies.get(conn, event.agency_id)
    for row in await assignments.awaiting(conn, event.agency_id):
        await bill(conn, settings, Billable.from_json(row["pending_work"]), agency)


async def _bill_or_park(conn: asyncpg.Connection, settings: BillingSettings, work: Billable) -> None:
    row = await assignments.get(conn, work.assignment_id, for_update=True)
    if row["status"] not in _UNBILLED:
        # Billed already (or parked) under another event id: the first trigger wins, nothing is billed twice.
        log.info("assignment already billed; ignoring", assignment_id=work.assignment_id, status=row["status"])
        return
    agency = await agencies.get(conn, work.agency_id)
    if agency is None:
        await assignments.set_awaiting_agency(conn, work.assignment_id, work.to_json(), work.source_event_id, work.at)
        log.warning("agency snapshot not seen yet; work parked", assignment_id=work.assignment_id,
                    agency_id=work.agency_id)
        return
    await bill(conn, settings, work, agency)


def _check(work: Billable) -> None:
    try:
        work.check()
    except ValueError as exc:
        raise PoisonMessage(f"unbillable work on {work.assignment_id}: {exc}") from exc


def _check_calendar(event: AgencySnapshot) -> None:
    try:
        ZoneInfo(event.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PoisonMessage(f"agency {event.agency_id}: unknown time zone {event.time_zone!r}") from exc
    try:
        agency_hours({"time_zone": event.time_zone, "business_days": event.business_hours.days,
                      "opens": event.business_hours.start, "closes": event.business_hours.end})
    except ValueError as exc:
        raise PoisonMessage(f"agency {event.agency_id}: bad business hours: {exc}") from exc


HANDLERS: dict[str, EventHandler] = {
    AssignmentCreated.EVENT_TYPE: assignment_created,
    TimeLogged.EVENT_TYPE: time_logged,
    AssignmentCompleted.EVENT_TYPE: assignment_completed,
    AssignmentReleased.EVENT_TYPE: assignment_released,
    AgencySnapshot.EVENT_TYPE: agency_snapshot,
}
