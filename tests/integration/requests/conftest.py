"""Fixtures of the requests service tests: the app in-process on a fresh schema and unique topics."""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaProducer

from taas_contracts.catalog import RequestKind, Role, Severity
from taas_contracts.envelope import Envelope
from taas_contracts.events.dispatch import (AssignmentCompleted, AssignmentCreated, AssignmentStarted, OfferCreated,
                                            OfferDeclined, RequestMatching, TimeEntry)
from taas_kit import auth
from taas_kit.kafka import encode
from taas_kit.http.keys import POOL
from taas_kit.testing import eventually
from taas_requests.app import MIGRATIONS, create_app
from taas_requests.hub import HUB
from taas_requests.settings import RequestsSettings


@pytest.fixture
def incident_body():
    """Factory of valid incident bodies."""
    return _incident


@pytest.fixture
def vacancy_body():
    """Factory of valid vacancy bodies."""
    return _vacancy


def _incident(**overrides: Any) -> dict[str, Any]:
    """A valid incident request body."""
    return {"kind": "incident", "severity": "critical", "role": "incident_responder",
            "required_skills": ["ransomware", "forensics"], "certifications": ["GCIH"], "clearances": ["cjis"],
            "onsite": False, "max_hourly_rate_cents": 25_000, "expected_hours": 12,
            "description": "ransomware on the county file server", **overrides}


def _vacancy(**overrides: Any) -> dict[str, Any]:
    """A valid vacancy request body."""
    return {"kind": "vacancy", "role": "cio", "hours_per_week": 10, "start_date": str(date.today() + timedelta(days=7)),
            "weeks": 12, "max_hourly_rate_cents": 18_000, **overrides}


def agency_body(**overrides: Any) -> dict[str, Any]:
    """A valid agency body with a unique id."""
    return {"id": f"county-{uuid.uuid4().hex[:10]}", "name": "Crow Wing County", "state": "MN",
            "jurisdiction": "Crow Wing", "jurisdiction_kind": "county", "population": 66_000,
            "time_zone": "America/Chicago", "consortia": ["mn-north"], "monthly_budget_cap_cents": 5_000_000,
            "contacts": [{"name": "Pat Lee", "role": "administrator", "email": "pat@example.gov"}], **overrides}


T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def dispatch_history():
    """Factory of a valid dispatch history of one request (seven events, seq 1 to 7)."""
    return _history


def _history(request_id: str, agency_id: str) -> list[Envelope]:
    """Matching, two offers (one declined), assigned, started, completed."""
    common = {"request_id": request_id, "agency_id": agency_id}
    at = lambda n: T0 + timedelta(minutes=n)  # noqa: E731
    window = {"window_start": T0, "window_end": T0 + timedelta(hours=8)}
    payloads = [
        RequestMatching(**common, seq=1, at=at(0)),
        OfferCreated(**common, seq=2, at=at(1), offer_id="o1", provider_id="p1", expires_at=at(3), rank=1),
        OfferDeclined(**common, seq=3, at=at(2), offer_id="o1", provider_id="p1", reason="busy"),
        OfferCreated(**common, seq=4, at=at(3), offer_id="o2", provider_id="p2", expires_at=at(5), rank=2),
        AssignmentCreated(**common, seq=5, at=at(4), assignment_id="a1", provider_id="p2", rate_cents=20_000,
                          kind=RequestKind.INCIDENT, severity=Severity.CRITICAL, role=Role.INCIDENT_RESPONDER,
                          via="offer", **window),
        AssignmentStarted(**common, seq=6, at=at(5), assignment_id="a1", provider_id="p2"),
        AssignmentCompleted(**common, seq=7, at=at(60), assignment_id="a1", provider_id="p2", rate_cents=20_000,
                            kind=RequestKind.INCIDENT, severity=Severity.CRITICAL,
                            entries=[TimeEntry(entry_id="e1", started_at=at(5), ended_at=at(60))]),
    ]
    return [p.envelope(source="/taas/dispatch", subject=request_id, tenant=agency_id, correlationid=request_id)
            for p in payloads]


@pytest.fixture
def produce(kafka_bootstrap: str):
    """Send envelopes to a topic in order, keyed by subject (their request)."""
    async def send(topic: str, envelopes: list[Envelope]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
        await producer.start()
        try:
            for env in envelopes:
                await producer.send_and_wait(topic, encode(env), key=env.subject.encode())
        finally:
            await producer.stop()
    return send


@dataclass
class Service:
    """The running app, its settings and ways to call it."""

    client: TestClient
    settings: RequestsSettings
    ops: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str, tenant: str | None = None, **extra: str) -> dict[str, str]:
        """Authorization headers for a role (and tenant)."""
        return {"Authorization": f"Bearer {auth.issue(self.settings.auth_secret, role, tenant=tenant)}", **extra}

    async def new_agency(self, **overrides: Any) -> tuple[str, dict[str, str]]:
        """Create an agency through the API; returns its id and its agency headers."""
        resp = await self.client.post("/v1/agencies", json=agency_body(**overrides), headers=self.ops)
        assert resp.status == 201, await resp.text()
        agency_id = (await resp.json())["id"]
        return agency_id, self.headers("agency", agency_id)

    async def submit(self, headers: dict[str, str], body: dict[str, Any], key: str | None = None):
        """POST /v1/requests with an idempotency key (fresh unless given)."""
        return await self.client.post("/v1/requests", json=body,
                                      headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex})

    async def count(self, sql: str, *args: Any) -> int:
        """A count from the service's schema."""
        async with self.client.app[POOL].acquire() as conn:
            return await conn.fetchval(sql, *args)


@pytest.fixture
def poll():
    """Await `check()` until it returns something truthy (poll with a deadline)."""
    return eventually


def make_settings(pg_dsn: str, schema: str, kafka_bootstrap: str, topic_prefix: str, **overrides: Any):
    """Settings on a test schema, unique topics and a unique consumer group."""
    return RequestsSettings(database_url=pg_dsn, db_schema=schema, kafka_bootstrap_servers=kafka_bootstrap,
                            topic_prefix=topic_prefix, consumer_group=f"g-{uuid.uuid4().hex[:10]}",
                            outbox_poll_seconds=0.2, webhook_poll_seconds=0.2, webhook_retry_base_seconds=0.05,
                            webhook_retry_cap_seconds=0.2, webhook_max_attempts=4, webhook_timeout_seconds=2.0,
                            sse_keepalive_seconds=1.0, **overrides)


@pytest.fixture
async def svc(pg_dsn, kafka_bootstrap, topic_prefix, migrated_schema):
    """The requests app running in-process against the real database and broker."""
    schema = await migrated_schema("requests", MIGRATIONS)
    settings = make_settings(pg_dsn, schema, kafka_bootstrap, topic_prefix)
    app = create_app(settings)
    async with TestClient(TestServer(app)) as client:
        service = Service(client, settings)
        service.ops = service.headers("ops")
        await asyncio.wait_for(app[HUB].connected.wait(), 15)
        yield service
