"""Bad input: problem+json field by field, the offending entry named, nothing stored."""

import pytest

pytestmark = pytest.mark.integration


def _fields(problem: dict) -> list[str]:
    return [e["field"] for e in problem["errors"]]


async def _versions_and_counts(svc, provider_id: str) -> tuple:
    # Every snapshot bumps the version in its transaction: an unchanged version means none was written.
    return (await svc.fetchval("SELECT version FROM providers WHERE id = $1", provider_id),
            await svc.fetchval("SELECT count(*) FROM provider_exceptions WHERE provider_id = $1", provider_id),
            await svc.fetchval("SELECT count(*) FROM credential_alerts WHERE provider_id = $1", provider_id))


async def test_a_schedule_with_overlapping_inverted_and_malformed_windows_names_each(svc):
    created, headers = await svc.new_provider()
    before = await _versions_and_counts(svc, created["id"])
    resp = await svc.client.put(f"/v1/providers/{created['id']}/schedule", headers=headers, json={"windows": [
        {"day": 0, "start": "08:00", "end": "12:00"},
        {"day": 1, "start": "08:00", "end": "12:00"},
        {"day": 2, "start": "8am", "end": "12:00"},
        {"day": 0, "start": "11:00", "end": "13:00"},
        {"day": 3, "start": "17:00", "end": "09:00"},
        {"day": 9, "start": "09:00", "end": "10:00"},
    ]})
    assert resp.status == 422 and resp.content_type == "application/problem+json"
    problem = await resp.json()
    assert problem["code"] == "validation_error"
    assert _fields(problem) == ["windows[2].start", "windows[3]", "windows[4]", "windows[5].day"]
    assert "overlaps windows[0]" in problem["errors"][1]["message"]
    assert problem["errors"][1]["pointer"] == "/windows/3"
    assert await _versions_and_counts(svc, created["id"]) == before


async def test_an_unknown_time_zone_is_refused(svc):
    created, headers = await svc.new_provider()
    resp = await svc.client.put(f"/v1/providers/{created['id']}/schedule", headers=headers,
                                json={"time_zone": "Mars/Olympus_Mons", "windows": []})
    assert resp.status == 422
    assert _fields(await resp.json()) == ["time_zone"]
    resp = await svc.client.post("/v1/providers", headers=svc.ops, json=svc.body(time_zone="Nowhere/City"))
    assert resp.status == 422 and _fields(await resp.json()) == ["time_zone"]


async def test_a_bad_profile_is_refused_field_by_field_and_not_stored(svc):
    body = svc.body(hourly_rate_cents=0, capacity=0, roles=["ciso", "wizard"], unknown_field=1,
                    certifications=[{"name": "CISSP", "issuer": "ISC2"}, {"name": "cissp", "issuer": "isc2"}])
    resp = await svc.client.post("/v1/providers", headers=svc.ops, json=body)
    assert resp.status == 422
    fields = _fields(await resp.json())
    assert "roles.1" in fields and "unknown_field" in fields
    body = svc.body(hourly_rate_cents=0, capacity=0,
                    certifications=[{"name": "CISSP", "issuer": "ISC2"}, {"name": "cissp", "issuer": "isc2"}],
                    windows=[{"day": 0, "start": "09:00", "end": "09:00"}])
    resp = await svc.client.post("/v1/providers", headers=svc.ops, json=body)
    assert resp.status == 422
    assert _fields(await resp.json()) == ["hourly_rate_cents", "capacity", "certifications[1]", "windows[0]"]
    assert await svc.fetchval("SELECT count(*) FROM providers WHERE id = $1", body["id"]) == 0
    assert await svc.fetchval("SELECT count(*) FROM outbox") == 0


async def test_bad_patch_exception_and_status_bodies(svc):
    created, headers = await svc.new_provider()
    url = f"/v1/providers/{created['id']}"
    before = await _versions_and_counts(svc, created["id"])
    resp = await svc.client.patch(url, headers=headers, json={"name": None, "capacity": 0})
    assert resp.status == 422 and _fields(await resp.json()) == ["name"]
    resp = await svc.client.patch(url, headers=headers, json={"capacity": 0})
    assert resp.status == 422 and _fields(await resp.json()) == ["capacity"]
    resp = await svc.client.post(f"{url}/exceptions", headers=headers, json={
        "kind": "blocked", "start": "2031-01-02T00:00:00Z", "end": "2031-01-01T00:00:00Z"})
    assert resp.status == 422 and _fields(await resp.json()) == ["end"]
    resp = await svc.client.post(f"{url}/exceptions", headers=headers, json={"kind": "holiday",
                                 "start": "2031-01-01T00:00:00Z", "end": "2031-01-02T00:00:00Z"})
    assert resp.status == 422 and _fields(await resp.json()) == ["kind"]
    resp = await svc.client.put(f"{url}/status", headers=headers, json={"status": "on_call"})
    assert resp.status == 422 and _fields(await resp.json()) == ["on_call_until"]
    resp = await svc.client.put(f"{url}/status", headers=headers,
                                json={"status": "on_call", "on_call_until": "2020-01-01T00:00:00Z"})
    assert resp.status == 422 and _fields(await resp.json()) == ["on_call_until"]
    resp = await svc.client.patch(url, headers=headers, data=b"{not json")
    assert resp.status == 400
    assert await _versions_and_counts(svc, created["id"]) == before


async def test_a_taken_id_is_a_conflict(svc):
    created, _ = await svc.new_provider()
    resp = await svc.client.post("/v1/providers", headers=svc.ops, json=svc.body(id=created["id"]))
    assert resp.status == 409 and (await resp.json())["code"] == "provider_exists"
