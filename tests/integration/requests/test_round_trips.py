"""The hot path's merged statements: what they write equals what the separate ones did, in fewer round trips."""

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from taas_contracts.envelope import Envelope
from taas_contracts.events.dispatch import OfferCreated, RequestMatching
from taas_kit import db, inbox
from taas_kit.http.keys import POOL
from taas_requests.api.request_models import RequestCreate
from taas_requests.handlers import coverage
from taas_requests.handlers.dispatch_events import on_dispatch_event
from taas_requests.zones import ZONES

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _events(request_id: str, agency_id: str) -> list[Envelope]:
    common = {"request_id": request_id, "agency_id": agency_id}
    payloads = [RequestMatching(**common, seq=1, at=T0),
                OfferCreated(**common, seq=2, at=T0 + timedelta(minutes=1), offer_id="o1", provider_id="p1",
                             expires_at=T0 + timedelta(minutes=5), rank=1)]
    return [p.envelope(source="/taas/dispatch", subject=request_id, tenant=agency_id, correlationid=request_id)
            for p in payloads]


class Statements:
    """Every statement a connection sends while attached."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, record) -> None:
        self.sent.append(record.query)


async def test_the_answer_to_a_submission_is_the_stored_request(svc, incident_body, vacancy_body):
    _, headers = await svc.new_agency(time_zone="America/Los_Angeles")
    year = date.today().year + 1
    bodies = [incident_body(onsite=True, location={"lat": 46.35, "lon": -94.2, "label": "Brainerd"},
                            expected_hours=2.5),
              incident_body(expected_hours=None, severity="low"),
              vacancy_body(start_date=f"{year}-03-01", weeks=3, hours_per_week=7.5)]  # across the DST change
    for body in bodies:
        resp = await svc.submit(headers, body)
        assert resp.status == 201, await resp.text()
        created = await resp.json()
        read = await (await svc.client.get(f"/v1/requests/{created['id']}", headers=headers)).json()
        assert created == read


async def test_a_submission_is_one_statement_once_the_agency_zone_is_known(svc, incident_body, pg_dsn):
    agency_id, _ = await svc.new_agency()
    body = incident_body()
    log, zones = Statements(), {}
    pool = await db.create_pool(pg_dsn, svc.settings.db_schema, min_size=1, max_size=1)
    sent = []
    try:
        async with pool.acquire() as conn:
            conn.add_query_logger(log)
        for key in ("k-warm", "k-count"):  # the first one also reads the agency (and asyncpg's type introspection)
            log.sent.clear()
            result = await coverage.submit_request(pool, svc.settings, agency_id, key, json.dumps(body).encode(),
                                                   RequestCreate.model_validate(body).root, datetime.now(UTC), zones)
            assert result.status_code == 201
            sent.append(list(log.sent))
    finally:
        await pool.close()
    # no BEGIN and COMMIT: the agency check, the key's claim and everything the request writes are one statement
    assert len(sent[1]) == 1, sent[1]
    assert sent[0][0].startswith("SELECT") and "FROM agencies" in sent[0][0]


async def test_a_remembered_zone_that_changed_costs_one_more_pass_and_is_used(svc, vacancy_body):
    agency_id, headers = await svc.new_agency(time_zone="America/Chicago")
    zones = svc.client.app[ZONES]
    zones[agency_id] = "Pacific/Honolulu"  # stale: the agency is in Chicago
    resp = await svc.submit(headers, vacancy_body())
    assert resp.status == 201, await resp.text()
    assert zones.get(agency_id) == "America/Chicago"
    stored = await svc.count("SELECT count(*) FROM coverage_requests WHERE agency_id = $1", agency_id)
    assert stored == 1
    # The window was built in the agency's real zone: local midnight in Chicago.
    read = await resp.json()
    assert datetime.fromisoformat(read["window_start"]).astimezone(ZoneInfo("America/Chicago")).hour == 0


async def test_an_offboarded_agency_is_refused_even_when_its_zone_is_remembered(svc, incident_body):
    agency_id, headers = await svc.new_agency()
    assert (await svc.submit(headers, incident_body())).status == 201  # remembered now
    async with svc.client.app[POOL].acquire() as conn:
        await conn.execute("UPDATE agencies SET active = false WHERE id = $1", agency_id)
    resp = await svc.submit(headers, incident_body())
    assert resp.status == 403 and (await resp.json())["code"] == "agency_inactive"
    assert svc.client.app[ZONES].get(agency_id) is None
    assert await svc.count("SELECT count(*) FROM coverage_requests WHERE agency_id = $1", agency_id) == 1


async def test_the_stream_notice_of_a_submission_names_its_timeline_entry(svc, incident_body, pg_dsn):
    _, headers = await svc.new_agency()
    notes: asyncio.Queue = asyncio.Queue()
    listener = await asyncpg.connect(pg_dsn)
    try:
        await listener.add_listener(svc.settings.channels().changes, lambda *args: notes.put_nowait(args[3]))
        created = await (await svc.submit(headers, incident_body())).json()
        note = json.loads(await asyncio.wait_for(notes.get(), 10))
    finally:
        await listener.close()
    async with svc.client.app[POOL].acquire() as conn:
        entry = await conn.fetchval("SELECT id FROM request_timeline WHERE request_id = $1", uuid.UUID(created["id"]))
    assert note["data"]["request_id"] == created["id"]
    assert note["data"]["timeline_id"] == entry


async def test_two_events_of_one_request_in_one_transaction_apply_in_turn(svc, incident_body):
    agency_id, headers = await svc.new_agency()
    hook = await (await svc.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"},
                                        headers=headers)).json()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    matching, offered = _events(rid, agency_id)
    log = Statements()
    async with svc.client.app[POOL].acquire() as conn, conn.transaction():
        conn.add_query_logger(log)
        verdicts = [await on_dispatch_event(conn, svc.settings.channels(), e) for e in (matching, offered, matching)]
        conn.remove_query_logger(log)
    assert [v.value for v in verdicts] == ["applied", "applied", "duplicate"]
    assert len(log.sent) == 2 * 2 + 1, log.sent  # lock and write per applied event; the duplicate only locks
    read = await (await svc.client.get(f"/v1/requests/{rid}", headers=headers)).json()
    assert read["status"] == "offered"
    async with svc.client.app[POOL].acquire() as conn:
        entries = await conn.fetch("SELECT id, event_id, to_status FROM request_timeline WHERE request_id = $1 "
                                   "ORDER BY id", uuid.UUID(rid))
        bodies = await conn.fetch("SELECT body FROM webhook_deliveries WHERE webhook_id = $1 "
                                  "AND event_type = 'request.status_changed'", uuid.UUID(hook["id"]))
    assert [e["to_status"] for e in entries] == ["submitted", "matching", "offered"]
    # The change a webhook carries names the timeline entry it was written with (its id is reserved beforehand).
    changes = sorted((json.loads(b["body"])["data"] for b in bodies), key=lambda c: c["seq"])
    assert [(c["timeline_id"], c["status"], c["previous_status"]) for c in changes] == [
        (entries[1]["id"], "matching", "submitted"), (entries[2]["id"], "offered", "matching")]


async def test_the_webhook_sender_is_woken_only_by_changes_that_queued_deliveries(svc, incident_body, pg_dsn):
    _, quiet = await svc.new_agency()
    _, hooked = await svc.new_agency()
    hook = await svc.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=hooked)
    assert hook.status == 201
    woken: asyncio.Queue = asyncio.Queue()
    listener = await asyncpg.connect(pg_dsn)
    try:
        await listener.add_listener(svc.settings.channels().webhooks, lambda *_: woken.put_nowait(1))
        assert (await svc.submit(quiet, incident_body())).status == 201
        assert (await svc.submit(hooked, incident_body())).status == 201
        await asyncio.wait_for(woken.get(), 10)  # notifications come in commit order: the quiet one would be first
        assert woken.empty()
    finally:
        await listener.close()


async def test_the_inbox_and_the_handler_share_the_consumer_transaction(svc, incident_body):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    matching, _ = _events(rid, agency_id)
    async with svc.client.app[POOL].acquire() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                assert await inbox.claim(conn, "test", matching.id, "t", 0, 0)
                await on_dispatch_event(conn, svc.settings.channels(), matching)
                raise RuntimeError("rolled back")
    timeline = await (await svc.client.get(f"/v1/requests/{rid}/timeline", headers=headers)).json()
    assert [e["to_status"] for e in timeline] == ["submitted"]
    assert (await (await svc.client.get(f"/v1/requests/{rid}", headers=headers)).json())["status"] == "submitted"


async def test_a_body_refused_only_in_a_stale_remembered_zone_is_accepted_in_the_real_one(svc, vacancy_body):
    agency_id, headers = await svc.new_agency(time_zone="Pacific/Pago_Pago")  # UTC-11
    today_there = datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    # Stale: in Kiritimati (UTC+14) that date is already past, so the body would be refused there.
    svc.client.app[ZONES][agency_id] = "Pacific/Kiritimati"
    resp = await svc.submit(headers, vacancy_body(start_date=str(today_there)))
    assert resp.status == 201, await resp.text()
    assert svc.client.app[ZONES][agency_id] == "Pacific/Pago_Pago"
