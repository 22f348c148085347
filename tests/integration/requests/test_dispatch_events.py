"""Dispatch events move each request's status: duplicates, out-of-order and impossible moves included."""

import uuid

import pytest

from taas_contracts.topics import DISPATCH_EVENTS

pytestmark = pytest.mark.integration


async def _status(svc, headers, request_id):
    return (await (await svc.client.get(f"/v1/requests/{request_id}", headers=headers)).json())


async def test_in_order_history_moves_the_request_to_completed_with_a_timeline(svc, incident_body, dispatch_history,
                                                                               produce, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    await produce(svc.settings.topic(DISPATCH_EVENTS), dispatch_history(rid, agency_id))

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


async def test_duplicated_and_shuffled_history_ends_in_the_same_status(svc, incident_body, dispatch_history,
                                                                       produce, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    events = dispatch_history(rid, agency_id)
    shuffled = [events[4], events[0], events[6], events[1], events[4], events[2], events[5], events[3], events[6],
                events[0]]
    await produce(svc.settings.topic(DISPATCH_EVENTS), shuffled)

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


async def test_impossible_move_is_refused_recorded_and_the_consumer_goes_on(svc, incident_body, dispatch_history,
                                                                            produce, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    cancel = await svc.client.post(f"/v1/requests/{rid}/cancel", json={"reason": "false alarm"}, headers=headers)
    assert cancel.status == 200
    events = dispatch_history(rid, agency_id)
    unknown = dispatch_history(str(uuid.uuid4()), agency_id)[0]
    await produce(svc.settings.topic(DISPATCH_EVENTS), [events[0], unknown])

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
