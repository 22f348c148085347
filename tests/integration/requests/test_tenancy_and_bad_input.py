"""Tenancy (a foreign id answers as an unknown id) and bad input (problem+json, field by field, nothing stored)."""

import uuid

import pytest

from taas_kit.http.keys import POOL

pytestmark = pytest.mark.integration

async def _answer(resp) -> tuple[int, dict]:
    body = await resp.json()
    body.pop("instance", None)
    return resp.status, body

async def test_every_endpoint_answers_a_foreign_id_as_an_unknown_id(svc, incident_body):
    owner_id, owner = await svc.new_agency()
    _, other = await svc.new_agency()
    rid = (await (await svc.submit(owner, incident_body())).json())["id"]
    hook = await (await svc.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=owner)).json()
    unknown_rid, unknown_hook = str(uuid.uuid4()), str(uuid.uuid4())
    calls = [
        ("GET", "/v1/requests/{}", None, rid, unknown_rid),
        ("GET", "/v1/requests/{}/timeline", None, rid, unknown_rid),
        ("POST", "/v1/requests/{}/cancel", {"reason": "mine now"}, rid, unknown_rid),
        ("GET", "/v1/webhooks/{}", None, hook["id"], unknown_hook),
        ("GET", "/v1/webhooks/{}/deliveries", None, hook["id"], unknown_hook),
        ("DELETE", "/v1/webhooks/{}", None, hook["id"], unknown_hook),
        ("GET", "/v1/agencies/{}", None, owner_id, "no-such-agency"),
    ]
    for method, path, body, foreign, unknown in calls:
        got_foreign = await _answer(await svc.client.request(method, path.format(foreign), json=body, headers=other))
        got_unknown = await _answer(await svc.client.request(method, path.format(unknown), json=body, headers=other))
        assert got_foreign[0] == 404, (method, path)
        assert got_foreign == got_unknown, (method, path)
    listed = await (await svc.client.get("/v1/requests", headers=other)).json()
    assert listed["items"] == []
    filtered = await (await svc.client.get(f"/v1/requests?agency_id={owner_id}", headers=other)).json()
    assert filtered["items"] == []
    assert await (await svc.client.get("/v1/webhooks", headers=other)).json() == []
    # The owner's request and webhook are untouched; ops see both.
    assert (await (await svc.client.get(f"/v1/requests/{rid}", headers=owner)).json())["status"] == "submitted"
    assert (await svc.client.get(f"/v1/webhooks/{hook['id']}", headers=svc.ops)).status == 200
    assert (await svc.client.get(f"/v1/requests/{rid}", headers=svc.ops)).status == 200

async def test_unknown_and_invalid_fields_are_reported_one_by_one_and_nothing_is_stored(svc, incident_body):
    _, headers = await svc.new_agency()
    body = incident_body(severity="apocalyptic", max_hourly_rate_cents=-5, surprise=True, required_skills=["a", "a"],
                         onsite=True)
    resp = await svc.submit(headers, body)
    assert resp.status == 422 and resp.content_type == "application/problem+json"
    errors = {e["field"]: e for e in (await resp.json())["errors"]}
    assert sorted(errors) == ["location", "max_hourly_rate_cents", "required_skills", "severity", "surprise"]
    assert errors["required_skills"]["message"] == "required_skills lists 'a' more than once"
    assert errors["required_skills"]["type"] == "duplicate"
    # Types right but rules broken: onsite without a location, a vacancy starting yesterday, a repeated skill.
    resp = await svc.submit(headers, incident_body(onsite=True, required_skills=["a", "a"]))
    assert resp.status == 422
    assert sorted(e["field"] for e in (await resp.json())["errors"]) == ["location", "required_skills"]
    resp = await svc.submit(headers, {"kind": "vacancy", "role": "cio", "hours_per_week": 10,
                                      "start_date": "2001-01-01", "weeks": 4, "max_hourly_rate_cents": 100})
    assert resp.status == 422
    assert [e["pointer"] for e in (await resp.json())["errors"]] == ["/start_date"]
    resp = await svc.submit(headers, {"kind": "sabbatical"})
    assert [e["pointer"] for e in (await resp.json())["errors"]] == ["/kind"]
    assert await svc.count("SELECT count(*) FROM coverage_requests") == 0
    assert await svc.count("SELECT count(*) FROM idempotency_keys") == 0
    assert await svc.count("SELECT count(*) FROM outbox WHERE type LIKE 'taas.request.%'") == 0

async def test_malformed_oversize_unauthenticated_and_wrong_role_store_nothing(svc, incident_body):
    _, headers = await svc.new_agency()
    base = {**headers, "Idempotency-Key": "k", "Content-Type": "application/json"}
    cases = [
        (400, await svc.client.post("/v1/requests", data=b"{not json", headers=base)),
        (400, await svc.client.post("/v1/requests", json=incident_body(), headers=headers)),  # no Idempotency-Key
        (413, await svc.client.post("/v1/requests", data=b"{" + b" " * 300_000 + b"}", headers=base)),
        (401, await svc.client.post("/v1/requests", json=incident_body(), headers={"Idempotency-Key": "k"})),
        (401, await svc.client.post("/v1/requests", json=incident_body(),
                                    headers={"Authorization": "Bearer nope.nope.nope", "Idempotency-Key": "k"})),
        (403, await svc.client.post("/v1/requests", json=incident_body(),
                                    headers={**svc.headers("provider", "p-1"), "Idempotency-Key": "k"})),
        (403, await svc.client.post("/v1/agencies", json={"name": "x"}, headers=headers)),
        (403, await svc.client.post("/v1/requests", json=incident_body(),
                                    headers={**svc.headers("agency", "never-onboarded"), "Idempotency-Key": "k"})),
    ]
    for expected, resp in cases:
        assert resp.status == expected, (expected, await resp.text())
        assert resp.content_type == "application/problem+json"
    assert await svc.count("SELECT count(*) FROM coverage_requests") == 0
    assert await svc.count("SELECT count(*) FROM idempotency_keys") == 0

async def test_list_filters_and_cursor_pages(svc, incident_body, vacancy_body):
    _, headers = await svc.new_agency()
    for severity in ("critical", "high", "low", "low", "medium"):
        assert (await svc.submit(headers, incident_body(severity=severity))).status == 201
    assert (await svc.submit(headers, vacancy_body())).status == 201
    seen, cursor = [], None
    while True:
        url = "/v1/requests?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await svc.client.get(url, headers=headers)).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 6
    lows = await (await svc.client.get("/v1/requests?severity=low", headers=headers)).json()
    assert len(lows["items"]) == 2
    vacancies = await (await svc.client.get("/v1/requests?kind=vacancy", headers=headers)).json()
    assert [r["kind"] for r in vacancies["items"]] == ["vacancy"]
    assert (await svc.client.get("/v1/requests?limit=1000", headers=headers)).status == 422
    assert (await svc.client.get("/v1/requests?cursor=garbage", headers=headers)).status == 422
    future = await (await svc.client.get("/v1/requests?created_after=2999-01-01T00:00:00Z", headers=headers)).json()
    assert future["items"] == []

async def test_a_request_past_its_target_is_flagged_for_agency_and_ops(svc, incident_body):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body(severity="critical"))).json())["id"]
    fresh = (await (await svc.submit(headers, incident_body(severity="low"))).json())["id"]
    async with svc.client.app[POOL].acquire() as conn:  # the clock is simulated by moving the submission back
        await conn.execute("UPDATE coverage_requests SET submitted_at = submitted_at - interval '1 hour', "
                           "respond_by = respond_by - interval '1 hour' WHERE id = $1", uuid.UUID(rid))
    assert (await (await svc.client.get(f"/v1/requests/{rid}", headers=headers)).json())["sla_breached"] is True
    assert (await (await svc.client.get(f"/v1/requests/{fresh}", headers=headers)).json())["sla_breached"] is False
    breached = await (await svc.client.get(f"/v1/requests?breached=true&agency_id={agency_id}",
                                           headers=svc.ops)).json()
    assert [r["id"] for r in breached["items"]] == [rid]

