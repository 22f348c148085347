"""Submitting requests: idempotency (also under real concurrency), the outbox event on Kafka, reads and lists."""

import asyncio
import uuid
from datetime import date, datetime, timedelta

import pytest

from taas_contracts.events import RequestSubmitted, parse_payload
from taas_contracts.topics import REQUEST_EVENTS
from taas_kit.kafka import decode

pytestmark = pytest.mark.integration


async def test_submit_incident_then_read_it(svc, incident_body):
    agency_id, headers = await svc.new_agency()
    resp = await svc.submit(headers, incident_body())
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    assert created["status"] == "submitted" and created["agency_id"] == agency_id
    assert created["sla_breached"] is False
    submitted = datetime.fromisoformat(created["submitted_at"])
    assert datetime.fromisoformat(created["respond_by"]) - submitted == timedelta(minutes=15)
    assert datetime.fromisoformat(created["window_end"]) - datetime.fromisoformat(created["window_start"]) == timedelta(hours=12)
    got = await svc.client.get(f"/v1/requests/{created['id']}", headers=headers)
    assert got.status == 200 and (await got.json())["id"] == created["id"]
    timeline = await (await svc.client.get(f"/v1/requests/{created['id']}/timeline", headers=headers)).json()
    assert [(e["from_status"], e["to_status"]) for e in timeline] == [(None, "submitted")]


async def test_vacancy_window_is_in_the_agency_time_zone(svc, vacancy_body):
    _, headers = await svc.new_agency(time_zone="America/Los_Angeles")
    year = date.today().year + 1
    body = vacancy_body(start_date=f"{year}-03-01", weeks=3)  # the US moves to DST on the second Sunday of March
    resp = await svc.submit(headers, body)
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    assert created["window_start"].startswith(f"{year}-03-01T08:00:00")
    assert created["window_end"].startswith(f"{year}-03-22T07:00:00")
    assert created["severity"] is None and created["weeks"] == 3


async def test_same_key_same_body_replays_the_original_answer(svc, incident_body):
    _, headers = await svc.new_agency()
    first = await svc.submit(headers, incident_body(), key="k-1")
    again = await svc.submit(headers, incident_body(), key="k-1")
    assert (first.status, again.status) == (201, 201)
    assert await first.json() == await again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await svc.count("SELECT count(*) FROM coverage_requests") == 1


async def test_same_key_different_body_is_a_conflict_and_stores_nothing(svc, incident_body):
    _, headers = await svc.new_agency()
    assert (await svc.submit(headers, incident_body(), key="k-2")).status == 201
    resp = await svc.submit(headers, incident_body(severity="low"), key="k-2")
    assert resp.status == 409
    assert resp.content_type == "application/problem+json"
    assert (await resp.json())["code"] == "idempotency_key_reused"
    assert await svc.count("SELECT count(*) FROM coverage_requests") == 1
    assert await svc.count("SELECT count(*) FROM outbox WHERE type = $1", RequestSubmitted.EVENT_TYPE) <= 1


async def test_keys_are_scoped_per_agency(svc, incident_body):
    _, a = await svc.new_agency()
    _, b = await svc.new_agency()
    ra, rb = await svc.submit(a, incident_body(), key="shared"), await svc.submit(b, incident_body(), key="shared")
    assert (ra.status, rb.status) == (201, 201)
    assert (await ra.json())["id"] != (await rb.json())["id"]


async def test_twenty_concurrent_submissions_with_one_key_make_one_request_and_one_event(
        svc, incident_body, read_topic):
    agency_id, headers = await svc.new_agency()
    key = uuid.uuid4().hex
    answers = await asyncio.gather(*(svc.submit(headers, incident_body(), key=key) for _ in range(20)))
    statuses = [r.status for r in answers]
    bodies = [await r.json() for r in answers]
    assert statuses == [201] * 20
    assert len({b["id"] for b in bodies}) == 1
    assert await svc.count("SELECT count(*) FROM coverage_requests WHERE agency_id = $1", agency_id) == 1
    request_id = bodies[0]["id"]
    records = await read_topic(svc.settings.topic(REQUEST_EVENTS), 1, settle=1.0)
    mine = [r for r in records if r.key == request_id.encode()]
    assert len(mine) == 1


async def test_the_submitted_event_carries_what_dispatch_needs(svc, incident_body, read_topic, poll):
    agency_id, headers = await svc.new_agency()
    body = incident_body(onsite=True, location={"lat": 46.36, "lon": -94.2, "label": "Brainerd"})
    created = await (await svc.submit(headers, body)).json()
    topic = svc.settings.topic(REQUEST_EVENTS)

    async def found():
        return [r for r in await read_topic(topic, 1, timeout=2) if r.key == created["id"].encode()]
    record = (await poll(found))[0]
    envelope = decode(record.value)
    assert envelope.type == RequestSubmitted.EVENT_TYPE
    assert (envelope.subject, envelope.tenant, envelope.correlationid) == (created["id"], agency_id, created["id"])
    event = parse_payload(envelope)
    assert isinstance(event, RequestSubmitted)
    assert event.role.value == "incident_responder" and event.severity.value == "critical"
    assert event.certifications == ["GCIH"] and [c.value for c in event.clearances] == ["cjis"]
    assert event.required_skills == ["ransomware", "forensics"]
    assert event.onsite is True and event.location.label == "Brainerd"
    assert event.max_hourly_rate_cents == 25_000 and event.expected_hours == 12
    assert event.window_start.isoformat().startswith(created["window_start"][:19])
    assert event.respond_by == datetime.fromisoformat(created["respond_by"])

