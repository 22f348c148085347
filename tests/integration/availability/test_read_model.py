"""A read model rebuilt from the compacted provider topic, read from the beginning, equals the provider table."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer

from taas_availability.handlers.views import snapshot
from taas_availability.repository import exceptions as exceptions_repo
from taas_contracts.events.availability import ProviderSnapshot
from taas_kit import kafka
from taas_kit.http.keys import POOL

pytestmark = pytest.mark.integration


async def _rebuild(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> dict[str, ProviderSnapshot]:
    """Latest snapshot per key, reading every partition from offset 0 up to its end."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                                enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    model: dict[str, ProviderSnapshot] = {}
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        while seen < expected and loop.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=100)).values():
                for record in batch:
                    seen += 1
                    snap = ProviderSnapshot.model_validate(kafka.decode(record.value).data)
                    # Keyed by provider id: within its partition a later record is a later version.
                    assert record.key.decode() == snap.provider_id
                    assert snap.provider_id not in model or model[snap.provider_id].version < snap.version
                    model[snap.provider_id] = snap
    finally:
        await consumer.stop()
    return model


async def test_rebuilt_read_model_equals_the_provider_table(svc, kafka_bootstrap):
    ids, changes = [], 0
    for i in range(6):
        created, headers = await svc.new_provider(capacity=1 + i % 3)
        ids.append(created["id"])
        url = f"/v1/providers/{created['id']}"
        if i % 2 == 0:
            resp = await svc.client.put(f"{url}/schedule", headers=headers, json={
                "windows": [{"day": i % 7, "start": "06:00", "end": "23:30"}], "time_zone": "Europe/Berlin"})
            assert resp.status == 200
            changes += 1
        if i % 3 == 0:
            start = datetime.now(UTC) + timedelta(days=i + 1)
            resp = await svc.client.post(f"{url}/exceptions", headers=headers, json={
                "kind": "blocked", "start": start.isoformat(), "end": (start + timedelta(hours=4)).isoformat()})
            assert resp.status == 201
            changes += 1
        if i == 4:
            resp = await svc.client.put(f"{url}/status", headers=headers, json={"status": "paused"})
            assert resp.status == 200
            changes += 1
        resp = await svc.client.patch(url, headers=headers, json={"regions": ["MN", f"R{i}"]})
        assert resp.status == 200
        changes += 1
    await svc.poll(lambda: _outbox_empty(svc))
    model = await _rebuild(kafka_bootstrap, svc.topic(ProviderSnapshot), expected=len(ids) + changes)
    assert sorted(model) == sorted(ids)
    now = datetime.now(UTC) - timedelta(hours=1)
    async with svc.client.app[POOL].acquire() as conn:
        rows = await conn.fetch("SELECT * FROM providers ORDER BY id")
        table = {r["id"]: snapshot(r, await exceptions_repo.open_for(conn, r["id"], now)) for r in rows}
    assert model == table
    assert {pid: s.version for pid, s in model.items()} == {r["id"]: r["version"] for r in rows}


async def _outbox_empty(svc) -> bool:
    return await svc.fetchval("SELECT count(*) FROM outbox") == 0
