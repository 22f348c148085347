"""A provider's token reaches that provider only; a foreign id answers exactly like an unknown one."""

import pytest

pytestmark = pytest.mark.integration


async def _answer(resp) -> tuple[int, dict]:
    body = await resp.json()
    body.pop("instance", None)
    return resp.status, body


async def test_a_provider_reads_and_changes_only_itself(svc):
    mine, headers = await svc.new_provider()
    other, _ = await svc.new_provider()
    assert (await svc.client.get(f"/v1/providers/{mine['id']}", headers=headers)).status == 200
    calls = [
        ("GET", "", None), ("PATCH", "", {"skills": ["x"]}), ("PUT", "/schedule", {"windows": []}),
        ("PUT", "/status", {"status": "paused"}), ("GET", "/load", None), ("GET", "/credentials/expiring", None),
        ("POST", "/exceptions", {"kind": "blocked", "start": "2031-01-01T00:00:00Z", "end": "2031-01-02T00:00:00Z"}),
        ("DELETE", "/exceptions/00000000-0000-0000-0000-000000000000", None),
    ]
    for method, suffix, body in calls:
        foreign = await svc.client.request(method, f"/v1/providers/{other['id']}{suffix}", json=body, headers=headers)
        unknown = await svc.client.request(method, f"/v1/providers/nobody-here{suffix}", json=body, headers=headers)
        assert foreign.status == 404, (method, suffix)
        assert await _answer(foreign) == await _answer(unknown)
        assert foreign.content_type == "application/problem+json"
    # Nothing of the other provider changed.
    assert await svc.fetchval("SELECT version FROM providers WHERE id = $1", other["id"]) == 1


async def test_ops_only_endpoints_and_fields(svc):
    mine, headers = await svc.new_provider()
    assert (await svc.client.get("/v1/providers", headers=headers)).status == 403
    assert (await svc.client.get("/v1/credentials/expiring", headers=headers)).status == 403
    assert (await svc.client.post("/v1/providers", json={}, headers=headers)).status == 403
    assert (await svc.client.post(f"/v1/providers/{mine['id']}/tokens", json={}, headers=headers)).status == 403
    resp = await svc.client.patch(f"/v1/providers/{mine['id']}", headers=headers,
                                  json={"hourly_rate_cents": 99_000, "roles": ["cio"], "skills": ["siem"]})
    assert resp.status == 403
    problem = await resp.json()
    assert [e["field"] for e in problem["errors"]] == ["hourly_rate_cents", "roles"]
    resp = await svc.client.put(f"/v1/providers/{mine['id']}/status", json={"status": "offboarded"}, headers=headers)
    assert resp.status == 403
    assert await svc.fetchval("SELECT version FROM providers WHERE id = $1", mine["id"]) == 1
    resp = await svc.client.patch(f"/v1/providers/{mine['id']}", headers=svc.ops, json={"hourly_rate_cents": 99_000})
    assert resp.status == 200 and (await resp.json())["hourly_rate_cents"] == 99_000


async def test_an_agency_token_is_refused_and_no_token_is_unauthorized(svc):
    mine, _ = await svc.new_provider()
    agency = svc.headers("agency", "county-x")
    assert (await svc.client.get(f"/v1/providers/{mine['id']}", headers=agency)).status == 403
    assert (await svc.client.get(f"/v1/providers/{mine['id']}")).status == 401


async def test_ops_issue_a_token_that_reaches_that_provider(svc):
    mine, _ = await svc.new_provider()
    resp = await svc.client.post(f"/v1/providers/{mine['id']}/tokens", json={"ttl_days": 7}, headers=svc.ops)
    assert resp.status == 201
    token = (await resp.json())["token"]
    own = await svc.client.get(f"/v1/providers/{mine['id']}", headers={"Authorization": f"Bearer {token}"})
    assert own.status == 200
    resp = await svc.client.post("/v1/providers/nobody-here/tokens", json={}, headers=svc.ops)
    assert resp.status == 404
