"""Fixtures of the availability service tests: the app in-process on a fresh schema and unique topics."""

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaConsumer

from taas_availability.app import MIGRATIONS, create_app
from taas_availability.consumers import ASSIGNMENTS_READY
from taas_availability.settings import AvailabilitySettings
from taas_contracts.events.availability import ProviderSnapshot
from taas_kit import auth, kafka
from taas_kit.http.keys import POOL
from taas_kit.testing import eventually


def provider_body(**overrides: Any) -> dict[str, Any]:
    """A valid provider body with a unique id."""
    return {"id": f"prov-{uuid.uuid4().hex[:10]}", "name": "Sam Rivera", "roles": ["ciso", "incident_responder"],
            "skills": ["Ransomware", "forensics"],
            "certifications": [{"name": "CISSP", "issuer": "ISC2", "expires_on": "2031-06-30"}],
            "clearances": [{"kind": "cjis", "expires_on": "2030-01-31"}], "hourly_rate_cents": 15_000,
            "home_jurisdiction_id": "county-aitkin", "time_zone": "America/Chicago", "capacity": 2,
            "regions": ["MN"], "onsite": {"lat": 46.5, "lon": -93.9, "radius_km": 120}, "languages": ["en"],
            "conflicts": ["county-cass"],
            "windows": [{"day": d, "start": "08:00", "end": "17:00"} for d in range(5)], **overrides}


@dataclass
class Service:
    """The running app, its settings and ways to call it."""

    client: TestClient
    settings: AvailabilitySettings
    ops: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str, tenant: str | None = None) -> dict[str, str]:
        """Authorization headers for a role (and tenant)."""
        return {"Authorization": f"Bearer {auth.issue(self.settings.auth_secret, role, tenant=tenant)}"}

    async def new_provider(self, **overrides: Any) -> tuple[dict[str, Any], dict[str, str]]:
        """Onboard a provider through the API; returns its read and its provider headers."""
        resp = await self.client.post("/v1/providers", json=provider_body(**overrides), headers=self.ops)
        assert resp.status == 201, await resp.text()
        created = await resp.json()
        return created, self.headers("provider", created["id"])

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """One value from the service's schema."""
        async with self.client.app[POOL].acquire() as conn:
            return await conn.fetchval(sql, *args)

    @staticmethod
    def body(**overrides: Any) -> dict[str, Any]:
        """A valid provider body with a unique id."""
        return provider_body(**overrides)

    @staticmethod
    async def poll(check, timeout: float = 20.0):
        """Await `check()` until it returns something truthy, or fail at the deadline."""
        return await poll(check, timeout)

    def topic(self, payload) -> str:
        """The real topic name of a payload model."""
        return self.settings.topic(payload.TOPIC)


poll = eventually


class SnapshotTail:
    """Reads the provider snapshot topic from the beginning and keeps every snapshot per provider."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                         auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=50)
        self.seen: dict[str, list[ProviderSnapshot]] = {}

    async def _drain(self) -> None:
        for batch in (await self.consumer.getmany(timeout_ms=100)).values():
            for record in batch:
                env = kafka.decode(record.value)
                assert record.key.decode() == env.subject
                snap = ProviderSnapshot.model_validate(env.data)
                self.seen.setdefault(snap.provider_id, []).append(snap)

    async def until_version(self, provider_id: str, version: int, timeout: float = 20.0) -> ProviderSnapshot:
        """The snapshot of `provider_id` at `version` (waits for it)."""
        async def check():
            await self._drain()
            return next((s for s in self.seen.get(provider_id, []) if s.version == version), None)
        return await poll(check, timeout)


def make_settings(pg_dsn: str, schema: str, kafka_bootstrap: str, topic_prefix: str, **overrides: Any):
    """Settings on a test schema, unique topics and a unique consumer group."""
    return AvailabilitySettings(database_url=pg_dsn, db_schema=schema, kafka_bootstrap_servers=kafka_bootstrap,
                                topic_prefix=topic_prefix, consumer_group=f"g-{uuid.uuid4().hex[:10]}",
                                outbox_poll_seconds=0.2, **overrides)


@pytest.fixture
async def svc(pg_dsn, kafka_bootstrap, topic_prefix, migrated_schema):
    """The availability app running in-process against the real database and broker."""
    schema = await migrated_schema("availability", MIGRATIONS)
    settings = make_settings(pg_dsn, schema, kafka_bootstrap, topic_prefix)
    app = create_app(settings)
    async with TestClient(TestServer(app)) as client:
        # Shutting down a consumer still joining its group leaves sockets behind: start it fully first.
        await asyncio.wait_for(app[ASSIGNMENTS_READY].wait(), 30)
        service = Service(client, settings)
        service.ops = service.headers("ops")
        yield service


@pytest.fixture
async def snapshots(svc, kafka_bootstrap):
    """A tail of the provider snapshot topic of this test module."""
    tail = SnapshotTail(kafka_bootstrap, svc.topic(ProviderSnapshot))
    await tail.consumer.start()
    yield tail
    await tail.consumer.stop()
