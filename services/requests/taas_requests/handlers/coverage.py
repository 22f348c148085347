"""Use cases of coverage requests: submit (idempotent), read, list, cancel, timeline."""

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from taas_contracts.catalog import RequestKind, RequestStatus
from taas_contracts.events.requests import RequestCancelled, RequestSubmitted
from taas_kit import jsonutil, outbox
from taas_kit.auth import Principal
from taas_requests.api.request_models import (IncidentCreate, RequestPage, RequestQuery, RequestRead,
                                              TimelineEntryRead, VacancyCreate)
from taas_requests.api.webhook_models import WebhookEvent
from taas_requests.domain import idempotency, sla, validation, windows
from taas_requests.domain import status as machine
from taas_requests.handlers import changes
from taas_requests.handlers.errors import Conflict, FieldProblem, Forbidden, Invalid, NotFound
from taas_requests.handlers.progress import apply_event
from taas_requests.handlers.views import request_read, timeline_read
from taas_requests.repository import changes as changes_repo
from taas_requests.repository import agencies as agencies_repo
from taas_requests.repository import coverage as repo
from taas_requests.repository import timeline as timeline_repo
from taas_requests.settings import RequestsSettings

SOURCE = "/taas/requests"
TENANT_ROLES = {"agency"}
_EVENT_FIELDS = set(RequestSubmitted.model_fields) - {"severity", "request_id", "agency_id"}


@dataclass(frozen=True, slots=True)
class Submitted:
    """The answer to a submission: the first one, or its replay."""

    status_code: int
    body: dict[str, Any]
    replayed: bool


def _cross_field_problems(body: IncidentCreate | VacancyCreate, tz: ZoneInfo, now: datetime) -> list[FieldProblem]:
    if isinstance(body, IncidentCreate):
        found = validation.incident_problems(onsite=body.onsite, location=body.location,
                                             max_hourly_rate_cents=body.max_hourly_rate_cents,
                                             expected_hours=body.expected_hours)
    else:
        found = validation.vacancy_problems(start_date=body.start_date, today=validation.agency_today(now, tz),
                                            hours_per_week=body.hours_per_week, weeks=body.weeks, onsite=body.onsite,
                                            location=body.location, max_hourly_rate_cents=body.max_hourly_rate_cents)
    return [FieldProblem(p.field, p.code, p.message) for p in found]


async def submit_request(pool: asyncpg.Pool, settings: RequestsSettings, agency_id: str, key: str, raw_body: bytes,
                         body: IncidentCreate | VacancyCreate, now: datetime,
                         zones: dict[str, str] | None = None) -> Submitted:
    """Store a request and its RequestSubmitted event in one statement, once per (agency, idempotency key).

    `zones` remembers agencies' time zones (agency id → zone) across calls, so the usual submission is that one
    statement; the statement checks the zone it was built with, and a zone changed meanwhile costs one more pass.
    """
    fingerprint = idempotency.fingerprint_raw(raw_body)
    zones = {} if zones is None else zones
    async with pool.acquire() as conn:
        zone = zones.get(agency_id) or await _agency_zone(conn, zones, agency_id)
        for _ in range(3):  # each pass but the last found the agency's zone changed since the one before
            tz = ZoneInfo(zone)
            problems = _cross_field_problems(body, tz, now)
            if problems:
                current = await _agency_zone(conn, zones, agency_id)  # refused in the zone it is in now, or 403
                if current != zone:
                    zone = current
                    continue
                replay = await _replay(conn, agency_id, key, fingerprint)
                if replay:
                    return replay
                raise Invalid(problems)
            stored, read = await _insert(conn, settings, agency_id, key, fingerprint, body, tz, now)
            if stored["claimed"]:
                return Submitted(201, read, replayed=False)
            if not stored["active"]:
                zones.pop(agency_id, None)
                raise Forbidden("the agency of this token is unknown or offboarded", code="agency_inactive")
            if stored["time_zone"] != zone:
                zone = zones[agency_id] = stored["time_zone"]
                continue
            # The key was taken before (a concurrent holder has committed by now): its answer, or a conflict.
            replay = await _replay(conn, agency_id, key, fingerprint)
            assert replay is not None, "a key that refused this submission is stored"
            return replay
        raise Conflict("the agency's time zone kept changing during the submission; try again",
                       code="agency_changing")


async def _agency_zone(conn: asyncpg.Connection, zones: dict[str, str], agency_id: str) -> str:
    """The agency's zone read from the table (and remembered); Forbidden if unknown or offboarded."""
    agency = await agencies_repo.get(conn, agency_id)
    if agency is None or not agency["active"]:
        zones.pop(agency_id, None)
        raise Forbidden("the agency of this token is unknown or offboarded", code="agency_inactive")
    zones[agency_id] = agency["time_zone"]
    return agency["time_zone"]


async def _replay(conn: asyncpg.Connection, agency_id: str, key: str, fingerprint: str) -> Submitted | None:
    """The stored answer if the key was used before (Conflict if with another body), else None."""
    stored = await repo.get_key(conn, agency_id, key)
    if stored is None:
        return None
    if idempotency.decide(stored["fingerprint"], fingerprint) is idempotency.IdempotencyDecision.CONFLICT:
        raise Conflict("this Idempotency-Key was used with a different body", code="idempotency_key_reused")
    return Submitted(stored["status_code"], stored["response"], replayed=True)


def _new_row(request_id: uuid.UUID, agency_id: str, body: IncidentCreate | VacancyCreate, spec: dict[str, Any],
             severity: str | None, window: tuple[datetime, datetime], respond_by: datetime,
             now: datetime) -> dict[str, Any]:
    """The row of a new request as PostgreSQL gives it back (timestamps in UTC), so nothing needs reading back."""
    return {"id": request_id, "agency_id": agency_id, "kind": body.kind.value, "severity": severity,
            "role": body.role.value, "status": RequestStatus.SUBMITTED.value, "last_seq": None, "spec": spec,
            "window_start": window[0].astimezone(UTC), "window_end": window[1].astimezone(UTC), "submitted_at": now,
            "respond_by": respond_by.astimezone(UTC), "assigned_at": None, "cancelled_at": None,
            "cancel_reason": None, "updated_at": now}


async def _insert(conn: asyncpg.Connection, settings: RequestsSettings, agency_id: str, key: str, fingerprint: str,
                  body: IncidentCreate | VacancyCreate, tz: ZoneInfo, now: datetime) -> tuple[asyncpg.Record, dict]:
    request_id = uuid.uuid4()
    spec = body.model_dump(mode="json")
    if isinstance(body, IncidentCreate):
        spec["expected_hours"] = body.expected_hours or settings.incident_default_hours
        start, end = windows.incident_window(now, spec["expected_hours"])
        severity = body.severity
    else:
        start, end = windows.vacancy_window(body.start_date, body.weeks, tz)
        severity = None
    respond_by = sla.deadline(now, severity, RequestKind(body.kind), time_zone=tz)
    row = _new_row(request_id, agency_id, body, spec, severity.value if severity else None, (start, end), respond_by,
                   now)
    submitted = RequestSubmitted(request_id=str(request_id), agency_id=agency_id, severity=severity, window_start=start,
                                 window_end=end, submitted_at=now, respond_by=respond_by,
                                 **{k: v for k, v in spec.items() if k in _EVENT_FIELDS})
    envelope = submitted.envelope(source=SOURCE, subject=str(request_id), tenant=agency_id,
                                  correlationid=str(request_id), time=now)
    change = changes.change_of(row, previous=None, cause=envelope.type, seq=None, occurred_at=now,
                               timeline_id=changes_repo.PENDING_TIMELINE_ID)
    read = request_read(row, now).model_dump(mode="json")  # the answer, the stored answer and the webhook's data
    notice = changes.notice(settings.channels(), agency_id=agency_id, event_type=WebhookEvent.SUBMITTED,
                            change=change, webhook_data=read, now=now)
    stored = await changes_repo.insert_submitted(
        conn, row, fingerprint=fingerprint, time_zone=tz.key, event_id=envelope.id, event_type=envelope.type,
        notice=notice, key=key, status_code=201, response=read, schema=settings.db_schema,
        events=[(settings.topic(RequestSubmitted.TOPIC), str(request_id), envelope)])
    return stored, read


async def _owned(conn: asyncpg.Connection, principal: Principal, request_id: uuid.UUID | None,
                 for_update: bool = False) -> asyncpg.Record:
    fetch = repo.lock if for_update else repo.get
    row = await fetch(conn, request_id) if request_id else None
    if row is None or not principal.owns(row["agency_id"]):
        raise NotFound("request")
    return row


async def get_request(pool: asyncpg.Pool, principal: Principal, request_id: uuid.UUID | None,
                      now: datetime) -> RequestRead:
    """One request of the caller's agency (ops: any)."""
    async with pool.acquire() as conn:
        return request_read(await _owned(conn, principal, request_id), now)


async def get_timeline(pool: asyncpg.Pool, principal: Principal,
                       request_id: uuid.UUID | None) -> list[TimelineEntryRead]:
    """Every status change and dispatch step of a request, in the order recorded."""
    async with pool.acquire() as conn:
        row = await _owned(conn, principal, request_id)
        return [timeline_read(r) for r in await timeline_repo.entries(conn, row["id"])]


async def cancel_request(pool: asyncpg.Pool, settings: RequestsSettings, principal: Principal,
                         request_id: uuid.UUID | None, reason: str, now: datetime) -> RequestRead:
    """Cancel a request that is not finished yet; publishes RequestCancelled."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _owned(conn, principal, request_id, for_update=True)
        payload = RequestCancelled(request_id=str(row["id"]), agency_id=row["agency_id"], reason=reason,
                                   cancelled_at=now, cancelled_by=principal.role.value)
        envelope = payload.envelope(source=SOURCE, subject=str(row["id"]), tenant=row["agency_id"],
                                    correlationid=str(row["id"]), time=now)
        event = machine.StatusEvent(envelope.id, envelope.type, now, note=reason)
        outcome, row = await apply_event(conn, settings.channels(), row, event,
                                         {"reason": reason, "by": principal.role.value}, now, cancel_reason=reason)
        if outcome.verdict is not machine.Verdict.APPLIED:
            raise Conflict(f"the request cannot be cancelled: {outcome.reason}", code="not_cancellable")
        await outbox.add(conn, settings.db_schema, [(settings.topic(RequestCancelled.TOPIC), str(row["id"]), envelope)])
    return request_read(row, now)


def _encode_cursor(row: asyncpg.Record) -> str:
    raw = jsonutil.dumps([row["submitted_at"].isoformat(), str(row["id"])])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, rid = jsonutil.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, uuid.UUID(rid)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise Invalid([FieldProblem("cursor", "invalid", "not a cursor this API returned")], where="query") from exc


async def list_requests(pool: asyncpg.Pool, settings: RequestsSettings, principal: Principal, query: RequestQuery,
                        now: datetime) -> RequestPage:
    """A page of the caller's requests (ops: all, or one agency's), newest first."""
    after = _decode_cursor(query.cursor) if query.cursor else None
    agency_id = query.agency_id
    if principal.role.value in TENANT_ROLES:
        if agency_id is not None and agency_id != principal.tenant:
            return RequestPage(items=[], next_cursor=None)
        agency_id = principal.tenant
    limit = min(query.limit, settings.page_size_max)
    async with pool.acquire() as conn:
        rows = await repo.page(conn, agency_id=agency_id, status=query.status, kind=query.kind,
                               severity=query.severity, created_after=query.created_after,
                               created_before=query.created_before, breached=query.breached, after=after,
                               limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return RequestPage(items=[request_read(r, now) for r in rows],
                       next_cursor=_encode_cursor(rows[-1]) if more and rows else None)
