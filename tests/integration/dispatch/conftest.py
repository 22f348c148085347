"""Dispatch integration fixtures: fresh topics and schema per test, the app in-process, and a harness."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from taas_contracts.catalog import Clearance, RequestKind, Role, Severity
from taas_contracts.envelope import Envelope, EventPayload
from taas_contracts.events.availability import Certification, ClearanceGrant, OnsiteArea, ProviderSnapshot
from taas_contracts.events.requests import Location, RequestCancelled, RequestSubmitted
from taas_contracts.topics import (
    AGENCY_SNAPSHOTS,
    AUTH_REVOCATIONS,
    DISPATCH_EVENTS,
    DISPATCH_LOG,
    PROVIDER_SNAPSHOTS,
    REQUEST_EVENTS,
)
from taas_dispatch.app import MIGRATIONS, create_app
from taas_dispatch.settings import DispatchSettings
from taas_kit import auth, db, kafka
from taas_kit.kafka import delete_topics_with_prefix, ensure_topics
from taas_kit.testing import eventually

TOPICS = (REQUEST_EVENTS, AGENCY_SNAPSHOTS, PROVIDER_SNAPSHOTS, DISPATCH_EVENTS, DISPATCH_LOG, AUTH_REVOCATIONS)


def uid(prefix: str) -> str:
    """A unique id for this test."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def now() -> datetime:
    """The current instant (UTC)."""
    return datetime.now(UTC)


def snapshot(provider_id: str, *, role: Role = Role.INCIDENT_RESPONDER, rate: int = 10_000, capacity: int = 1,
             on_call: bool = False, version: int = 1, status: str = "active", home: str | None = "j-home",
             skills: tuple[str, ...] = (), certs: tuple[tuple[str, Any], ...] = (),
             clearances: tuple[tuple[Clearance, Any], ...] = (), conflicts: tuple[str, ...] = (),
             onsite: OnsiteArea | None = None, available: bool = True) -> ProviderSnapshot:
    """A provider available from yesterday for 30 days (or never), optionally on call for a day."""
    t = now()
    windows = [(t - timedelta(days=1), t + timedelta(days=30))] if available else []
    return ProviderSnapshot(
        provider_id=provider_id, name=f"Provider {provider_id}", roles=[role], skills=list(skills),
        certifications=[Certification(name=n, expires_on=e) for n, e in certs],
        clearances=[ClearanceGrant(kind=k, expires_on=e) for k, e in clearances],
        hourly_rate_cents=rate, home_jurisdiction_id=home, time_zone="America/Chicago", capacity=capacity,
        conflicts=list(conflicts), onsite=onsite, on_call_until=t + timedelta(days=1) if on_call else None,
        status=status, availability=windows, horizon_until=t + timedelta(days=30), version=version,
    )


def submitted(request_id: str, agency_id: str, *, severity: Severity = Severity.HIGH,
              role: Role = Role.INCIDENT_RESPONDER, cap: int = 20_000, hours: float = 4, skills: tuple[str, ...] = (),
              certs: tuple[str, ...] = (), location: Location | None = None) -> RequestSubmitted:
    """An incident request for `hours` from now."""
    t = now()
    return RequestSubmitted(
        request_id=request_id, agency_id=agency_id, kind=RequestKind.INCIDENT, severity=severity, role=role,
        required_skills=list(skills), certifications=list(certs), onsite=location is not None, location=location,
        max_hourly_rate_cents=cap, expected_hours=hours, window_start=t, window_end=t + timedelta(hours=hours),
        submitted_at=t, respond_by=t + timedelta(minutes=15),
    )


def cancelled(request_id: str, agency_id: str, by: str = "agency") -> RequestCancelled:
    """The agency cancels a request."""
    return RequestCancelled(request_id=request_id, agency_id=agency_id, reason="resolved internally",
                            cancelled_at=now(), cancelled_by=by)


def settings_for(pg_dsn: str, schema: str, kafka_bootstrap: str, prefix: str, **overrides: Any) -> DispatchSettings:
    """Dispatch settings on a test's schema and topics, with quick timers."""
    values: dict[str, Any] = dict(
        database_url=pg_dsn, db_schema=schema, kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=prefix,
        consumer_group=uid("g"), outbox_poll_seconds=0.2, timer_poll_seconds=0.05, db_pool_min=1, db_pool_max=10,
    )
    values.update(overrides)
    return DispatchSettings(**values)


class Harness:
    """Produces contract events, reads dispatch's topics and tables, polls with deadlines."""

    uid = staticmethod(uid)
    now = staticmethod(now)
    snapshot = staticmethod(snapshot)
    submitted = staticmethod(submitted)
    cancelled = staticmethod(cancelled)

    def __init__(self, settings: DispatchSettings, pool: asyncpg.Pool) -> None:
        self.settings, self.pool = settings, pool
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Open the producer."""
        self._producer = kafka.make_producer(self.settings.kafka_bootstrap_servers)
        await self._producer.start()

    async def stop(self) -> None:
        """Close the producer."""
        if self._producer is not None:
            await self._producer.stop()

    def token(self, role: str, tenant: str | None = None) -> dict[str, str]:
        """An Authorization header."""
        return {"Authorization": f"Bearer {auth.issue(self.settings.auth_secret, role, tenant=tenant)}"}

    async def send(self, *payloads: EventPayload) -> list[Envelope]:
        """Publish events to their prefixed topics, keyed by request, provider or agency id."""
        sent, futures = [], []
        for payload in payloads:
            key = getattr(payload, "request_id", None) or getattr(payload, "provider_id", None) or payload.agency_id
            envelope = payload.envelope(source="/tests", subject=key, tenant=getattr(payload, "agency_id", None))
            futures.append(await self._producer.send(self.settings.topic(payload.TOPIC), kafka.encode(envelope),
                                                     key=key.encode()))
            sent.append(envelope)
        await asyncio.gather(*futures)
        return sent

    async def wait_for(self, check: Callable[[], Awaitable[Any]], timeout: float = 30.0, what: str = "") -> Any:
        """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
        return await eventually(check, timeout, what=what or str(check))

    async def providers_loaded(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the read model holds `count` providers."""
        await self.wait_for(lambda: self._count("SELECT count(*) FROM providers", count), timeout, "providers")

    async def _count(self, sql: str, at_least: int, *args: Any) -> bool:
        return await self.pool.fetchval(sql, *args) >= at_least

    async def request_status(self, request_id: str) -> str | None:
        """The request's status as dispatch keeps it."""
        return await self.pool.fetchval("SELECT status FROM requests WHERE request_id = $1", request_id)

    async def wait_status(self, request_id: str, *statuses: str, timeout: float = 30.0) -> str:
        """Wait until the request reaches one of `statuses`."""
        async def check() -> str | None:
            status = await self.request_status(request_id)
            return status if status in statuses else None
        return await self.wait_for(check, timeout, f"{request_id} in {statuses}")

    async def offers(self, request_id: str) -> list[asyncpg.Record]:
        """The request's offers in order."""
        return await self.pool.fetch("SELECT * FROM offers WHERE request_id = $1 ORDER BY position", request_id)

    async def pending_offer(self, request_id: str, timeout: float = 30.0) -> asyncpg.Record:
        """Wait for a pending offer of the request."""
        async def check():
            return await self.pool.fetchrow(
                "SELECT * FROM offers WHERE request_id = $1 AND status = 'pending' ORDER BY position LIMIT 1",
                request_id)
        return await self.wait_for(check, timeout, f"a pending offer of {request_id}")

    async def read_events(self, topic, until: Callable[[list[Envelope]], bool], timeout: float = 30.0,
                          settle: float = 0.0) -> list[Envelope]:
        """Read a prefixed topic from the beginning until `until(envelopes)` holds (then `settle` seconds more)."""
        consumer = AIOKafkaConsumer(self.settings.topic(topic), bootstrap_servers=self.settings.kafka_bootstrap_servers,
                                    group_id=None, auto_offset_reset="earliest", enable_auto_commit=False,
                                    fetch_max_wait_ms=100)
        await consumer.start()
        found: list[Envelope] = []
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not until(found) and loop.time() < deadline:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    found.extend(kafka.decode(r.value) for r in batch)
            end = loop.time() + settle
            while loop.time() < end:
                for batch in (await consumer.getmany(timeout_ms=100)).values():
                    found.extend(kafka.decode(r.value) for r in batch)
        finally:
            await consumer.stop()
        return found


@pytest.fixture
async def prefix(kafka_bootstrap: str):
    """A topic prefix of this test alone (dispatch reads from the beginning, so tests must not share inputs)."""
    name = uid("t") + "."
    await ensure_topics(kafka_bootstrap, TOPICS, prefix=name)
    yield name
    await delete_topics_with_prefix(kafka_bootstrap, name)


@pytest.fixture
async def dispatch_schema(migrated_schema) -> str:
    """A fresh schema with the dispatch migrations."""
    return await migrated_schema("dispatch", MIGRATIONS)


@pytest.fixture
def make_settings(pg_dsn: str, kafka_bootstrap: str, dispatch_schema: str, prefix: str):
    """`make_settings(**overrides)`: settings on this test's schema and topics."""
    def make(**overrides: Any) -> DispatchSettings:
        return settings_for(pg_dsn, dispatch_schema, kafka_bootstrap, prefix, **overrides)
    return make


@pytest.fixture
def settings(make_settings) -> DispatchSettings:
    """Default settings of this test."""
    return make_settings()


@pytest.fixture
async def harness(settings: DispatchSettings):
    """The harness, with its own pool on the test's schema."""
    pool = await db.create_pool(settings.database_url, settings.db_schema, min_size=1, max_size=4)
    h = Harness(settings, pool)
    await h.start()
    yield h
    await h.stop()
    await pool.close()


def serving(settings: DispatchSettings) -> TestClient:
    """The dispatch app running in-process (HTTP, consumer, timers, outbox relay); use as `async with serving(settings) as client`."""
    return TestClient(TestServer(create_app(settings)))


@pytest.fixture
def serve():
    """`serve(settings)`: an async context manager running the dispatch app in-process."""
    return serving


@pytest.fixture
async def client(settings: DispatchSettings, harness: Harness):
    """A client of the running dispatch app."""
    async with serving(settings) as c:
        yield c
