"""A fetch of dispatch events applied together (two round trips) ends where the same events one by one end."""

import asyncio
import contextlib
import functools
import json
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from taas_contracts.envelope import Envelope
from taas_contracts.events.dispatch import RequestUnfilled
from taas_contracts.topics import dead_letter_topic
from taas_kit.consumer import ConsumerRunner
from taas_kit.http.keys import POOL
from taas_kit.kafka import decode
from taas_kit.testing import running
from taas_requests import consumers
from taas_requests.handlers.dispatch_events import on_dispatch_event, on_dispatch_events
from taas_requests.repository import coverage as coverage_repo

pytestmark = pytest.mark.integration

LATER = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)  # after every event of a dispatch history


def _mixed(history, requests: list[tuple[str, str]]) -> list[Envelope]:
    """Interleaved events of three requests: moves, a step, gaps, a stale, a refused and a repeated event."""
    (r0, a0), (r1, a1), (r2, a2) = requests
    h0, h1, h2 = history(r0, a0), history(r1, a1), history(r2, a2)
    refused = RequestUnfilled(request_id=r2, agency_id=a2, seq=8, at=LATER, reason="nobody", candidates_considered=3)
    late = refused.envelope(source="/taas/dispatch", subject=r2, tenant=a2, correlationid=r2)
    return [h0[0], h1[0], h0[1], h2[6], h0[2], h1[4], h0[3], h1[1], late, h0[4], h0[5], h0[0], h1[5], h0[6]]


class Notifications:
    """What a connection LISTENing on the stream's and the webhook sender's channels receives, in order."""

    def __init__(self, channels) -> None:
        self.channels = channels
        self.got: list[tuple[str, str]] = []
        self.conn: asyncpg.Connection | None = None

    async def start(self, dsn: str) -> None:
        self.conn = await asyncpg.connect(dsn)
        for channel in self.channels:
            await self.conn.add_listener(channel, lambda _c, _pid, channel, payload: self.got.append((channel, payload)))

    async def drain(self, pool: asyncpg.Pool, poll) -> list[tuple[str, str]]:
        """Everything committed so far (a marker sent afterwards arrives after it), then forget it."""
        marker = uuid.uuid4().hex
        await pool.execute("SELECT pg_notify($1, $2)", self.channels.webhooks, marker)
        end = (self.channels.webhooks, marker)

        async def arrived() -> bool:
            return end in self.got
        await poll(arrived)
        got, self.got = self.got[:self.got.index(end)], []
        return got


async def _left(pool: asyncpg.Pool, request_ids: list[uuid.UUID], events: list[Envelope],
                notified: list[tuple[str, str]], channels) -> dict:
    """What the events left behind, with ids replaced by positions so that two runs compare."""
    position: dict[str, int] = {}
    for n, envelope in enumerate(events):
        position.setdefault(envelope.id, n)
    index = {str(request_id): n for n, request_id in enumerate(request_ids)}
    async with pool.acquire() as conn:
        requests = await conn.fetch("SELECT id, status, last_seq, assigned_at, cancelled_at FROM coverage_requests "
                                    "WHERE id = ANY($1::uuid[])", request_ids)
        entries = await conn.fetch(
            """SELECT id, request_id, event_id, event_type, seq, occurred_at, from_status, to_status, verdict, reason,
                      detail FROM request_timeline WHERE request_id = ANY($1::uuid[]) ORDER BY id""", request_ids)
        bodies = await conn.fetch("SELECT body FROM webhook_deliveries WHERE event_type = 'request.status_changed' "
                                  "ORDER BY created_at, id")
    of_entry = {e["id"]: position.get(e["event_id"], "submitted") for e in entries}

    def change(data: dict) -> dict:  # an unknown timeline id fails here: each change names its own entry
        return {**data, "request_id": index[data["request_id"]], "timeline_id": of_entry[data["timeline_id"]]}

    notes = [json.loads(payload) for channel, payload in notified if channel == channels.changes]
    return {
        "requests": sorted((index[str(r["id"])], r["status"], r["last_seq"], r["assigned_at"], r["cancelled_at"])
                           for r in requests),
        # the entries the events added to every request's timeline, in the order of their ids across requests
        "timeline": [(index[str(e["request_id"])], of_entry[e["id"]], e["event_type"], e["seq"], e["occurred_at"],
                      e["from_status"], e["to_status"], e["verdict"], e["reason"], e["detail"])
                     for e in entries if of_entry[e["id"]] != "submitted"],
        "deliveries": [change(data) for data in (json.loads(b["body"])["data"] for b in bodies)
                       if data["request_id"] in index],
        "stream": [(note["type"], note["agency_id"], change(note["data"])) for note in notes
                   if note["data"]["request_id"] in index],
        "wakes": sum(channel == channels.webhooks for channel, _ in notified),
    }


async def test_a_batch_ends_where_the_same_events_one_by_one_end(svc, incident_body, dispatch_history, pg_dsn, poll):
    hooked_id, hooked = await svc.new_agency()
    quiet_id, quiet = await svc.new_agency()
    assert (await svc.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=hooked)).status == 201

    async def three_requests() -> list[uuid.UUID]:
        return [uuid.UUID((await (await svc.submit(headers, incident_body())).json())["id"])
                for headers in (hooked, hooked, quiet)]
    together_ids, alone_ids = await three_requests(), await three_requests()
    warm_id = (await (await svc.submit(quiet, incident_body())).json())["id"]
    agencies = (hooked_id, hooked_id, quiet_id)
    together = _mixed(dispatch_history, [(str(r), a) for r, a in zip(together_ids, agencies, strict=True)])
    alone = _mixed(dispatch_history, [(str(r), a) for r, a in zip(alone_ids, agencies, strict=True)])
    pool, channels = svc.client.app[POOL], svc.settings.channels()
    listener = Notifications(channels)
    await listener.start(pg_dsn)
    try:
        sent: list[str] = []

        def log(record) -> None:
            sent.append(record.query)
        async with pool.acquire() as conn:
            async with conn.transaction():  # a connection's first batch also has asyncpg look up the types
                await on_dispatch_events(conn, channels, dispatch_history(warm_id, quiet_id)[:2])
            await listener.drain(pool, poll)
            async with conn.transaction():
                conn.add_query_logger(log)
                together_verdicts = await on_dispatch_events(conn, channels, together)
                conn.remove_query_logger(log)
        together_notified = await listener.drain(pool, poll)
        async with pool.acquire() as conn, conn.transaction():  # as the kit called the handler before batches
            alone_verdicts = [await on_dispatch_event(conn, channels, envelope) for envelope in alone]
        alone_notified = await listener.drain(pool, poll)
    finally:
        await listener.conn.close()
    assert len(sent) == 2, sent  # every request locked, then every change (an executemany: one round trip)
    assert [v.value for v in together_verdicts] == [v.value for v in alone_verdicts] == [
        "applied", "applied", "applied", "applied", "applied", "applied", "applied", "stale", "refused", "applied",
        "applied", "duplicate", "applied", "applied"]
    left = await _left(pool, together_ids, together, together_notified, channels)
    assert left == await _left(pool, alone_ids, alone, alone_notified, channels)
    assert [status for _, status, *_ in left["requests"]] == ["completed", "in_progress", "completed"]
    assert [n for _, n, *_ in left["timeline"]] == sorted(set(range(14)) - {11})  # in the events' order
    assert len(left["deliveries"]) == 8 and left["wakes"] == 1  # the hooked agency's status changes, one wake-up
    assert len(left["stream"]) == 9  # every status change (the quiet agency's completion too)


async def test_a_batch_that_queued_no_delivery_does_not_wake_the_webhook_sender(svc, incident_body, dispatch_history,
                                                                                 pg_dsn, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    pool, channels = svc.client.app[POOL], svc.settings.channels()
    listener = Notifications(channels)
    await listener.start(pg_dsn)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await on_dispatch_events(conn, channels, dispatch_history(rid, agency_id))
        notified = await listener.drain(pool, poll)
    finally:
        await listener.conn.close()
    assert [channel for channel, _ in notified] == [channels.changes] * 5  # five status changes, no wake-up


@contextlib.asynccontextmanager
async def _consuming(svc, topic: str):
    """The service's handlers behind a kit runner with `together` on a fresh topic; yields the batches handed over."""
    channels, batches = svc.settings.channels(), []

    async def batch(conn, envelopes):
        batches.append([e.id for e in envelopes])
        await consumers.handle_batch(channels, conn, envelopes)
    runner = ConsumerRunner(name=f"test-{topic}", topics=[topic], group_id=f"g-{topic}",
                            bootstrap_servers=svc.settings.kafka_bootstrap_servers, pool=svc.client.app[POOL],
                            handler=functools.partial(consumers.handle, channels), batch_handler=batch,
                            together=True)
    async with running(runner.run()):
        yield batches


async def _transactions(svc, request_id: str) -> list[str]:
    """The transaction that wrote each dispatch entry of a request's timeline, in order."""
    async with svc.client.app[POOL].acquire() as conn:
        rows = await conn.fetch("SELECT xmin::text AS tx FROM request_timeline WHERE request_id = $1 AND seq IS NOT NULL "
                                "ORDER BY id", uuid.UUID(request_id))
    return [r["tx"] for r in rows]


async def test_a_fetch_with_a_redelivery_and_orphans_is_one_batch(svc, incident_body, dispatch_history, produce,
                                                                   make_topic, poll):
    agency_id, headers = await svc.new_agency()
    other_id, _ = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    events = dispatch_history(rid, agency_id)
    unknown = dispatch_history(str(uuid.uuid4()), agency_id)[0]
    foreign = dispatch_history(rid, other_id)[1]
    not_uuid = RequestUnfilled(request_id="not-a-uuid", agency_id=agency_id, seq=1, at=LATER, reason="x",
                               candidates_considered=0).envelope(source="/taas/dispatch", subject="not-a-uuid")
    sent = [*events[:3], unknown, events[1], foreign, *events[3:], not_uuid]
    topic = await make_topic(partitions=1)
    await produce(topic, sent)
    async with _consuming(svc, topic) as batches:
        async def all_kept():
            return await svc.count("SELECT count(*) FROM orphan_dispatch_events WHERE event_id = ANY($1::text[])",
                                   [unknown.id, foreign.id, not_uuid.id]) == 3
        await poll(all_kept)
    assert batches == [[e.id for e in [*events[:3], unknown, foreign, *events[3:], not_uuid]]]  # the redelivery: none
    async with svc.client.app[POOL].acquire() as conn:
        orphans = await conn.fetch("SELECT event_id, reason FROM orphan_dispatch_events WHERE event_id = ANY($1::text[])",
                                   [unknown.id, foreign.id, not_uuid.id])
    assert {o["event_id"]: o["reason"] for o in orphans} == {
        unknown.id: "unknown request", foreign.id: "agency does not match the request's agency",
        not_uuid.id: "unknown request"}
    timeline = await (await svc.client.get(f"/v1/requests/{rid}/timeline", headers=headers)).json()
    assert [e["event_id"] for e in timeline[1:]] == [e.id for e in events]
    assert (await (await svc.client.get(f"/v1/requests/{rid}", headers=headers)).json())["status"] == "completed"
    assert len(set(await _transactions(svc, rid))) == 1


async def test_a_failing_batch_is_handled_again_one_by_one(svc, incident_body, dispatch_history, produce, make_topic,
                                                           read_topic, poll):
    agency_id, headers = await svc.new_agency()
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]
    events = dispatch_history(rid, agency_id)
    broken = Envelope(type="taas.offer.created.v1", source="/taas/dispatch", subject=rid, tenant=agency_id,
                      data={"request_id": rid, "agency_id": agency_id, "seq": 9})  # fails its contract model
    topic = await make_topic(partitions=1)
    await produce(topic, [*events[:3], broken, *events[3:]])
    async with _consuming(svc, topic) as batches:
        async def completed():
            return (await (await svc.client.get(f"/v1/requests/{rid}", headers=headers)).json())["status"] == "completed"
        await poll(completed)
    assert batches == [[e.id for e in [*events[:3], broken, *events[3:]]]]  # tried once together, then not again
    timeline = await (await svc.client.get(f"/v1/requests/{rid}/timeline", headers=headers)).json()
    assert [e["event_id"] for e in timeline[1:]] == [e.id for e in events]  # the rolled-back batch left nothing
    assert len(set(await _transactions(svc, rid))) == len(events)  # each in a transaction of its own
    (dead,) = await read_topic(dead_letter_topic(topic), 1)
    assert decode(dead.value).id == broken.id
    assert dict(dead.headers)["dlq.reason"].decode().startswith("ValidationError")


async def test_a_batch_locks_in_id_order_and_reserves_timeline_ids_once_it_holds_every_lock(
        svc, incident_body, dispatch_history, pg_dsn, poll):
    agency_id, headers = await svc.new_agency()
    first, second = sorted([uuid.UUID((await (await svc.submit(headers, incident_body())).json())["id"])
                            for _ in range(2)])
    pool, channels = svc.client.app[POOL], svc.settings.channels()
    on_schema = {"search_path": svc.settings.db_schema}
    holder = await asyncpg.connect(pg_dsn, server_settings=on_schema)
    other = await asyncpg.connect(pg_dsn, server_settings=on_schema)
    conn = await pool.acquire()
    try:
        holding = holder.transaction()
        await holding.start()
        await holder.execute("SELECT 1 FROM coverage_requests WHERE id = $1 FOR UPDATE", first)
        # Events name the second request first: the batch still locks the first one first, so it waits there.
        batch = [dispatch_history(str(second), agency_id)[0], dispatch_history(str(first), agency_id)[0]]

        async def apply():
            async with conn.transaction():
                await on_dispatch_events(conn, channels, batch)
        applying = asyncio.create_task(apply())

        async def waiting():
            return await other.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1",
                                        conn.get_server_pid())
        await poll(waiting)
        async with other.transaction():  # the second request is not locked meanwhile
            assert await other.fetchval("SELECT 1 FROM coverage_requests WHERE id = $1 FOR UPDATE NOWAIT", second)
        taken = await holder.fetchval("SELECT nextval('request_timeline_id_seq')")
        await holding.commit()
        await asyncio.wait_for(applying, 10)
    finally:
        await pool.release(conn)
        await holder.close()
        await other.close()
    async with pool.acquire() as conn:
        ids = await conn.fetch("SELECT id, request_id FROM request_timeline WHERE request_id = ANY($1::uuid[]) "
                               "AND seq IS NOT NULL ORDER BY id", [first, second])
    assert [r["request_id"] for r in ids] == [second, first]  # ids in the events' order
    assert all(r["id"] > taken for r in ids)  # reserved after the wait for the lock, not before


async def test_lock_many_reserves_one_id_per_event_in_the_events_order(svc, incident_body):
    _, headers = await svc.new_agency()
    a, b = [uuid.UUID((await (await svc.submit(headers, incident_body())).json())["id"]) for _ in range(2)]
    async with svc.client.app[POOL].acquire() as conn, conn.transaction():
        rows = await coverage_repo.lock_many(conn, [b, a, uuid.uuid4(), b])
    assert sorted(r["id"] for r in rows) == sorted([a, b])  # the unknown id locks nothing
    reserved = {r["id"]: r["timeline_ids"] for r in rows}
    assert len(reserved[b]) == 2 and len(reserved[a]) == 1
    assert reserved[b][0] < reserved[a][0] < reserved[b][1]
    assert all(len(r["seen_event_ids"]) == 1 for r in rows)  # each request's submission entry
