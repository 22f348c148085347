"""The sliding horizon is republished once per provider across instances; the ops list filters and pages."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from taas_availability.handlers import refresh
from taas_kit.http.keys import POOL

pytestmark = pytest.mark.integration


async def test_short_horizons_are_republished_once_even_by_two_instances(svc, snapshots):
    ids = [(await svc.new_provider())[0]["id"] for _ in range(5)]
    fresh, _ = await svc.new_provider()
    pool = svc.client.app[POOL]
    now = datetime.now(UTC)
    assert await refresh.refresh_due(pool, svc.settings, now) == 0
    # As if two days had passed since these snapshots were computed.
    async with pool.acquire() as conn:
        await conn.execute("UPDATE providers SET horizon_until = horizon_until - interval '2 days' WHERE id = ANY($1)",
                           ids)
    small = svc.settings.model_copy(update={"refresh_batch_size": 2})
    done = await asyncio.gather(refresh.refresh_due(pool, small, now), refresh.refresh_due(pool, small, now))
    assert sum(done) == 5
    for pid in ids:
        snap = await snapshots.until_version(pid, 2)
        assert snap.horizon_until == now + timedelta(days=svc.settings.horizon_days)
    assert await svc.fetchval("SELECT version FROM providers WHERE id = $1", fresh["id"]) == 1
    assert await refresh.refresh_due(pool, svc.settings, now) == 0


async def test_ops_list_filters_and_pages(svc):
    a, _ = await svc.new_provider(roles=["cio"], skills=["budgeting"],
                                  windows=[{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)])
    b, _ = await svc.new_provider(roles=["cio", "ciso"], skills=["siem"], windows=[],
                                  certifications=[{"name": "CISM", "issuer": "ISACA", "expires_on": "2001-01-01"}])
    c, hc = await svc.new_provider(roles=["network_engineer"], certifications=[{"name": "CISM", "issuer": "ISACA"}],
                                   windows=[{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)])

    async def ids(query: str) -> list[str]:
        resp = await svc.client.get(f"/v1/providers?{query}", headers=svc.ops)
        assert resp.status == 200, await resp.text()
        return [p["id"] for p in (await resp.json())["items"]]

    assert await ids("role=cio") == sorted([a["id"], b["id"]])
    assert await ids("skill=SIEM") == [b["id"]]
    assert await ids("certification=cism") == [c["id"]]  # b's CISM has expired
    at = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert await ids(f"available_at={at}") == sorted([a["id"], c["id"]])
    await svc.client.put(f"/v1/providers/{c['id']}/status", json={"status": "paused"}, headers=hc)
    assert await ids(f"available_at={at}") == [a["id"]]
    assert await ids("status=paused") == [c["id"]]

    seen, cursor = [], None
    while True:
        resp = await svc.client.get("/v1/providers?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=svc.ops)
        page = await resp.json()
        assert len(page["items"]) <= 2
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted([a["id"], b["id"], c["id"]])
    capped = await (await svc.client.get("/v1/providers?limit=100000", headers=svc.ops)).json()
    assert len(capped["items"]) == 3
    bad = await svc.client.get("/v1/providers?cursor=garbage", headers=svc.ops)
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "cursor"
    far = (datetime.now(UTC) + timedelta(days=400)).isoformat().replace("+00:00", "Z")
    bad = await svc.client.get(f"/v1/providers?available_at={far}", headers=svc.ops)
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "available_at"
