"""Agencies: ops onboard and change them, each change publishes a snapshot; tokens issued for them work."""

import pytest

from taas_contracts.events import AgencySnapshot, parse_payload
from taas_contracts.topics import AGENCY_SNAPSHOTS
from taas_kit.kafka import decode

pytestmark = pytest.mark.integration


async def test_create_and_change_publish_versioned_snapshots_keyed_by_agency(svc, read_topic, poll):
    agency_id, _ = await svc.new_agency()
    resp = await svc.client.patch(f"/v1/agencies/{agency_id}", json={"monthly_budget_cap_cents": 900_000,
                                                                      "business_hours": {"start": "07:30"}},
                                  headers=svc.ops)
    assert resp.status == 200, await resp.text()
    changed = await resp.json()
    assert changed["version"] == 2 and changed["business_hours"]["start"] == "07:30:00"
    topic = svc.settings.topic(AGENCY_SNAPSHOTS)

    async def snapshots():
        records = [r for r in await read_topic(topic, 2, timeout=2) if r.key == agency_id.encode()]
        return records if len(records) == 2 else None
    records = await poll(snapshots)
    payloads = [parse_payload(decode(r.value)) for r in records]
    assert all(isinstance(p, AgencySnapshot) for p in payloads)
    assert [p.version for p in payloads] == [1, 2]
    assert payloads[1].monthly_budget_cap_cents == 900_000 and payloads[1].time_zone == "America/Chicago"
    assert payloads[0].consortia == ["mn-north"] and payloads[0].jurisdiction == "Crow Wing"


async def test_ops_issue_a_token_the_agency_can_use_and_duplicates_conflict(svc, incident_body):
    agency_id, _ = await svc.new_agency()
    resp = await svc.client.post(f"/v1/agencies/{agency_id}/tokens", json={"ttl_days": 7}, headers=svc.ops)
    assert resp.status == 201
    token = (await resp.json())["token"]
    mine = {"Authorization": f"Bearer {token}"}
    assert (await svc.client.get(f"/v1/agencies/{agency_id}", headers=mine)).status == 200
    assert (await svc.submit(mine, incident_body())).status == 201
    dup = await svc.client.post("/v1/agencies", json={"id": agency_id, "name": "x", "state": "MN",
                                                      "jurisdiction": "x", "population": 1,
                                                      "time_zone": "UTC"}, headers=svc.ops)
    assert dup.status == 409


async def test_an_offboarded_agency_can_no_longer_file_requests(svc, incident_body):
    agency_id, headers = await svc.new_agency()
    await svc.client.patch(f"/v1/agencies/{agency_id}", json={"active": False}, headers=svc.ops)
    resp = await svc.submit(headers, incident_body())
    assert resp.status == 403 and (await resp.json())["code"] == "agency_inactive"
    listed = await (await svc.client.get("/v1/agencies?active=false", headers=svc.ops)).json()
    assert agency_id in [a["id"] for a in listed]
