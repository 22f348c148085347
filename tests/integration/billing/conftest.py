"""Billing integration fixtures: a migrated schema, settings on the module's topics, the app, and a harness."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from taas_billing.app import MIGRATIONS, create_app
from taas_billing.settings import BillingSettings
from taas_contracts.catalog import RequestKind, Role, Severity
from taas_contracts.envelope import Envelope, EventPayload
from taas_contracts.events.dispatch import (
    AssignmentCompleted,
    AssignmentCreated,
    AssignmentReleased,
    TimeEntry,
    TimeLogged,
)
from taas_contracts.events.requests import AgencySnapshot, BusinessHours
from taas_kit import auth, db, kafka


def uid(prefix: str) -> str:
    """A unique id for this test."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def utc(*parts: int) -> datetime:
    """A UTC instant."""
    return datetime(*parts, tzinfo=UTC)


class Harness:
    """Produces dispatch events and agency snapshots, reads billing's topics and tables, polls with deadlines."""

    uid = staticmethod(uid)
    utc = staticmethod(utc)

    def __init__(self, settings: BillingSettings, pool: asyncpg.Pool) -> None:
        self.settings, self.pool = settings, pool
        self._producer: AIOKafkaProducer | None = None
        self._seq: dict[str, int] = {}

    async def start(self) -> None:
        """Open the producer."""
        self._producer = kafka.make_producer(self.settings.kafka_bootstrap_servers)
        await self._producer.start()

    async def stop(self) -> None:
        """Close the producer."""
        if self._producer is not None:
            await self._producer.stop()

    def token(self, role: str, tenant: str | None = None) -> dict[str, str]:
        """An Authorization header for a role."""
        return {"Authorization": f"Bearer {auth.issue(self.settings.auth_secret, role, tenant=tenant)}"}

    async def send(self, payload: EventPayload, key: str, *, event_id: str | None = None) -> Envelope:
        """Publish one event to its (prefixed) topic."""
        envelope = payload.envelope(source="/tests", subject=key, tenant=getattr(payload, "agency_id", None),
                                    id=event_id)
        await self._producer.send_and_wait(self.settings.topic(payload.TOPIC), kafka.encode(envelope),
                                           key=key.encode())
        return envelope

    async def send_raw(self, topic: str, key: str, envelope: Envelope) -> None:
        """Publish an envelope as it is (e.g. a second copy of an event)."""
        await self._producer.send_and_wait(self.settings.topic(topic), kafka.encode(envelope), key=key.encode())

    async def agency(self, agency_id: str, *, cap: int | None = None, version: int = 1,
                     time_zone: str = "America/New_York") -> Envelope:
        """Publish an agency snapshot: open Monday to Friday, 09:00-17:00 local."""
        snap = AgencySnapshot(
            agency_id=agency_id, name=agency_id, state="NY", jurisdiction=agency_id, population=8000,
            time_zone=time_zone, business_hours=BusinessHours(days=[0, 1, 2, 3, 4], start=time(9), end=time(17)),
            monthly_budget_cap_cents=cap, version=version,
        )
        return await self.send(snap, agency_id)

    def _next(self, request_id: str) -> int:
        self._seq[request_id] = self._seq.get(request_id, 0) + 1
        return self._seq[request_id]

    def completed(self, agency_id: str, entries: list[tuple[datetime, datetime]], *, assignment_id: str | None = None,
                  request_id: str | None = None, provider_id: str = "prov-1", lender: str | None = None,
                  rate_cents: int = 12_000, severity: Severity | None = Severity.HIGH,
                  kind: RequestKind = RequestKind.INCIDENT) -> AssignmentCompleted:
        """An AssignmentCompleted payload."""
        request_id = request_id or uid("req")
        return AssignmentCompleted(
            request_id=request_id, agency_id=agency_id, seq=self._next(request_id), at=entries[-1][1] if entries else utc(2027, 6, 8),
            assignment_id=assignment_id or uid("asg"), provider_id=provider_id, provider_home_jurisdiction_id=lender,
            rate_cents=rate_cents, kind=kind, severity=severity if kind is RequestKind.INCIDENT else None,
            entries=[TimeEntry(entry_id=f"e{i}", started_at=s, ended_at=e) for i, (s, e) in enumerate(entries)],
        )

    def created(self, done: AssignmentCompleted) -> AssignmentCreated:
        """The AssignmentCreated matching a completion."""
        return AssignmentCreated(
            request_id=done.request_id, agency_id=done.agency_id, seq=self._next(done.request_id),
            at=utc(2027, 6, 1), assignment_id=done.assignment_id, provider_id=done.provider_id,
            provider_home_jurisdiction_id=done.provider_home_jurisdiction_id, rate_cents=done.rate_cents,
            kind=done.kind, severity=done.severity, role=Role.INCIDENT_RESPONDER, window_start=utc(2027, 6, 1),
            window_end=utc(2027, 7, 1), via="offer",
        )

    def logged(self, done: AssignmentCompleted, entry_id: str, start: datetime, end: datetime) -> TimeLogged:
        """A TimeLogged event on the assignment of `done`."""
        return TimeLogged(request_id=done.request_id, agency_id=done.agency_id, seq=self._next(done.request_id),
                          at=end, assignment_id=done.assignment_id, provider_id=done.provider_id,
                          entry=TimeEntry(entry_id=entry_id, started_at=start, ended_at=end))

    def released(self, done: AssignmentCompleted, at: datetime) -> AssignmentReleased:
        """An AssignmentReleased event on the assignment of `done`."""
        return AssignmentReleased(request_id=done.request_id, agency_id=done.agency_id,
                                  seq=self._next(done.request_id), at=at, assignment_id=done.assignment_id,
                                  provider_id=done.provider_id, reason="agency cancelled", by="agency",
                                  redispatch=False)

    async def dispatch(self, *payloads: EventPayload) -> list[Envelope]:
        """Publish dispatch events keyed by request id, in order."""
        return [await self.send(p, p.request_id) for p in payloads]

    async def wait_for(self, probe: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
        """Poll `probe` until it returns a truthy value; fail with the last value at the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        value = await probe()
        while not value and loop.time() < deadline:
            await asyncio.sleep(0.05)
            value = await probe()
        assert value, f"condition not met within {timeout} s (last value {value!r})"
        return value

    async def segments(self, assignment_id: str) -> list[asyncpg.Record]:
        """The usage segments of an assignment, in order."""
        return await self.pool.fetch(
            "SELECT * FROM usage_segments WHERE assignment_id = $1 ORDER BY segment_index", assignment_id)

    async def billed(self, assignment_id: str) -> bool:
        """True once the assignment's work is in the ledger."""
        return await self.pool.fetchval(
            "SELECT status = 'billed' FROM assignments WHERE assignment_id = $1", assignment_id) or False

    async def read(self, topic: str, until: Callable[[list], bool], timeout: float = 30.0,
                   settle: float = 0.0) -> list:
        """Records of a (prefixed) topic from its beginning, until `until(records)` holds, then `settle` s more."""
        consumer = AIOKafkaConsumer(self.settings.topic(topic), bootstrap_servers=self.settings.kafka_bootstrap_servers,
                                    group_id=None, auto_offset_reset="earliest", enable_auto_commit=False,
                                    fetch_max_wait_ms=100)
        await consumer.start()
        records: list = []
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not until(records) and loop.time() < deadline:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
            end = loop.time() + settle
            while loop.time() < end:
                for batch in (await consumer.getmany(timeout_ms=100)).values():
                    records.extend(batch)
        finally:
            await consumer.stop()
        return records


@pytest.fixture
async def billing_settings(pg_dsn: str, kafka_bootstrap: str, topic_prefix: str, migrated_schema) -> BillingSettings:
    """Settings on a fresh migrated schema, the module's topics and a unique consumer group."""
    schema = await migrated_schema("billing", MIGRATIONS)
    return BillingSettings(database_url=pg_dsn, db_schema=schema, kafka_bootstrap_servers=kafka_bootstrap,
                           topic_prefix=topic_prefix, consumer_group=uid("g"), outbox_poll_seconds=0.5,
                           db_pool_min=1, db_pool_max=5)


@pytest.fixture
async def harness(billing_settings: BillingSettings):
    """The harness, with its own pool on the test's schema."""
    pool = await db.create_pool(billing_settings.database_url, billing_settings.db_schema, min_size=1, max_size=4)
    h = Harness(billing_settings, pool)
    await h.start()
    yield h
    await h.stop()
    await pool.close()


def serving(settings: BillingSettings) -> TestClient:
    """The billing app running in-process (HTTP, consumer, outbox relay); use as `async with serving(settings) as client`."""
    return TestClient(TestServer(create_app(settings)))


@pytest.fixture
async def client(billing_settings: BillingSettings, harness: Harness):
    """A client of the running billing app."""
    async with serving(billing_settings) as c:
        yield c


@pytest.fixture
def serve():
    """`serve(settings)`: an async context manager running the billing app in-process."""
    return serving
