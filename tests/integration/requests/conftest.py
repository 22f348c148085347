"""Fixtures of the requests service tests: the app in-process on a fresh schema and unique topics."""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from taas_kit import auth
from taas_kit.http.app import POOL
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
