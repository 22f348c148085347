"""Load from assignment events on taas.dispatch.events: created, completed, released; duplicates harmless."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from taas_contracts.catalog import RequestKind, Role, Severity
from taas_contracts.events.dispatch import AssignmentCompleted, AssignmentCreated, AssignmentReleased, TimeEntry
from taas_contracts.topics import DISPATCH_EVENTS
from taas_kit import kafka

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)


def _created(provider_id: str, request_id: str, assignment_id: str) -> AssignmentCreated:
    return AssignmentCreated(
        request_id=request_id, agency_id="county-crow-wing", seq=3, at=NOW, assignment_id=assignment_id,
        provider_id=provider_id, rate_cents=15_000, kind=RequestKind.INCIDENT, severity=Severity.CRITICAL,
        role=Role.INCIDENT_RESPONDER, window_start=NOW, window_end=NOW + timedelta(hours=8), via="offer")


async def _send(producer, topic: str, key: str, payload, event_id: str | None = None) -> str:
    env = payload.envelope(source="/taas/dispatch", subject=key, tenant=payload.agency_id, correlationid=key,
                           id=event_id)
    await producer.send_and_wait(topic, kafka.encode(env), key=key.encode())
    return env.id


async def _handled(svc, n: int) -> bool:
    return await svc.fetchval("SELECT count(*) FROM processed_messages") == n


async def test_load_follows_assignment_events_and_duplicates_change_nothing(svc):
    created, headers = await svc.new_provider(capacity=2)
    pid = created["id"]
    assert created["load"] == {"active_engagements": 0, "remaining_capacity": 2}
    topic = svc.settings.topic(DISPATCH_EVENTS)
    producer = kafka.make_producer(svc.settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        r1, r2, r3 = (f"req-{uuid.uuid4().hex[:8]}" for _ in range(3))
        a1, a2, a3 = (f"asg-{uuid.uuid4().hex[:8]}" for _ in range(3))
        first = await _send(producer, topic, r1, _created(pid, r1, a1))
        await _send(producer, topic, r1, _created(pid, r1, a1), event_id=first)  # redelivered: same event id
        await _send(producer, topic, r1, _created(pid, r1, a1))  # re-sent under a new event id
        await _send(producer, topic, r2, _created(pid, r2, a2))
        await _send(producer, topic, r3, _created(pid, r3, a3))

        async def load(active: int):
            body = await (await svc.client.get(f"/v1/providers/{pid}/load", headers=headers)).json()
            return body if body["active_engagements"] == active else None

        body = await svc.poll(lambda: load(3))
        assert body["remaining_capacity"] == 0 and body["capacity"] == 2
        assert sorted(e["assignment_id"] for e in body["engagements"]) == sorted([a1, a2, a3])

        done = AssignmentCompleted(
            request_id=r1, agency_id="county-crow-wing", seq=9, at=NOW + timedelta(hours=8), assignment_id=a1,
            provider_id=pid, rate_cents=15_000, kind=RequestKind.INCIDENT, severity=Severity.CRITICAL,
            entries=[TimeEntry(entry_id="e1", started_at=NOW, ended_at=NOW + timedelta(hours=2))])
        released = AssignmentReleased(request_id=r2, agency_id="county-crow-wing", seq=5, at=NOW, assignment_id=a2,
                                      provider_id=pid, reason="sick", by="provider", redispatch=True)
        await _send(producer, topic, r1, done)
        await _send(producer, topic, r2, released)
        await _send(producer, topic, r2, released)
        # A late duplicate of the creation does not bring a finished assignment back.
        await _send(producer, topic, r1, _created(pid, r1, a1))
        await svc.poll(lambda: _handled(svc, 8))
        body = await load(1)
        assert body is not None
        assert [e["assignment_id"] for e in body["engagements"]] == [a3]
        read = await (await svc.client.get(f"/v1/providers/{pid}", headers=svc.ops)).json()
        assert read["load"] == {"active_engagements": 1, "remaining_capacity": 1}
    finally:
        await producer.stop()
