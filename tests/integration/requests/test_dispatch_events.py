"""Dispatch events move each request's status: duplicates, out-of-order and impossible moves included."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer

from taas_contracts.catalog import RequestKind, Role, Severity
from taas_contracts.envelope import Envelope
from taas_contracts.events.dispatch import (AssignmentCompleted, AssignmentCreated, AssignmentStarted, OfferCreated,
                                            OfferDeclined, RequestMatching, TimeEntry)
from taas_contracts.topics import DISPATCH_EVENTS
from taas_kit.kafka import encode

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def history(request_id: str, agency_id: str) -> list[Envelope]:
    """A valid dispatch history of one request: matching, two offers (one declined), assigned, started, completed."""
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


async def produce(bootstrap: str, topic: str, envelopes: list[Envelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for env in envelopes:
            await producer.send_and_wait(topic, encode(env), key=env.subject.encode())
    finally:
        await producer.stop()


async def _status(svc, headers, request_id):
    return (await (await svc.client.get(f"/v1/requests/{request_id}", headers=headers)).json())


async def test_in_order_history_moves_the_request_to_completed_with_a_timeline(svc, incident_body, kafka_bootstrap, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    await produce(kafka_bootstrap, svc.settings.topic(DISPATCH_EVENTS), history(rid, agency_id))

    async def done():
        body = await _status(svc, headers, rid)
        return body if body["status"] == "completed" else None
    body = await poll(done)
    assert body["assigned_at"].startswith("2026-01-05T12:04:00")
    timeline = await (await svc.client.get(f"/v1/requests/{rid}/timeline", headers=headers)).json()
    assert [e["to_status"] for e in timeline] == ["submitted", "matching", "offered", "offered", "offered",
                                                   "assigned", "in_progress", "completed"]
    assert all(e["verdict"] == "applied" for e in timeline)
    declined = timeline[3]
    assert declined["event_type"] == "taas.offer.declined.v1" and declined["detail"]["reason"] == "busy"


async def test_duplicated_and_shuffled_history_ends_in_the_same_status(svc, incident_body, kafka_bootstrap, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    events = history(rid, agency_id)
    shuffled = [events[4], events[0], events[6], events[1], events[4], events[2], events[5], events[3], events[6],
                events[0]]
    await produce(kafka_bootstrap, svc.settings.topic(DISPATCH_EVENTS), shuffled)

    async def all_seen():
        n = await svc.count("SELECT count(*) FROM request_timeline WHERE request_id = $1", uuid.UUID(rid))
        return n == 1 + len(events)
    await poll(all_seen)
    body = await _status(svc, headers, rid)
    assert body["status"] == "completed"
    timeline = await (await svc.client.get(f"/v1/requests/{rid}/timeline", headers=headers)).json()
    assert len({e["event_id"] for e in timeline}) == len(timeline)  # every duplicate was dropped
    assert {e["verdict"] for e in timeline} <= {"applied", "stale"}
    assert any(e["verdict"] == "stale" for e in timeline)


async def test_impossible_move_is_refused_recorded_and_the_consumer_goes_on(svc, incident_body, kafka_bootstrap, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    cancel = await svc.client.post(f"/v1/requests/{rid}/cancel", json={"reason": "false alarm"}, headers=headers)
    assert cancel.status == 200
    events = history(rid, agency_id)
    unknown = history(str(uuid.uuid4()), agency_id)[0]
    await produce(kafka_bootstrap, svc.settings.topic(DISPATCH_EVENTS), [events[0], unknown])

    async def recorded():
        return await svc.count("SELECT count(*) FROM orphan_dispatch_events WHERE event_id = $1", unknown.id)
    await poll(recorded)
    timeline = await (await svc.client.get(f"/v1/requests/{rid}/timeline", headers=headers)).json()
    assert [(e["to_status"], e["verdict"]) for e in timeline] == [
        ("submitted", "applied"), ("cancelled", "applied"), ("cancelled", "refused")]
    assert "already cancelled" in timeline[-1]["reason"]
    assert (await _status(svc, headers, rid))["status"] == "cancelled"


async def test_cancel_publishes_request_cancelled_and_cannot_repeat(svc, incident_body, read_topic, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    resp = await svc.client.post(f"/v1/requests/{rid}/cancel", json={"reason": "resolved locally"}, headers=headers)
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "cancelled" and body["cancel_reason"] == "resolved locally"
    again = await svc.client.post(f"/v1/requests/{rid}/cancel", json={"reason": "again"}, headers=headers)
    assert again.status == 409
    from taas_contracts.topics import REQUEST_EVENTS
    from taas_kit.kafka import decode

    async def cancelled_event():
        records = await read_topic(svc.settings.topic(REQUEST_EVENTS), 1, timeout=2)
        return [decode(r.value) for r in records
                if r.key == rid.encode() and decode(r.value).type == "taas.request.cancelled.v1"]
    (event,) = await poll(cancelled_event)
    assert event.data["reason"] == "resolved locally" and event.data["cancelled_by"] == "agency"
