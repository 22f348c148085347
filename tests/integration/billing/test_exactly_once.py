"""Every completed minute billed exactly once: replays from the beginning, a SIGKILL mid-batch, duplicates."""

import asyncio
import os
import signal
import subprocess

import asyncpg
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.consumer import AIOKafkaConsumer

from taas_billing.billable import Billable
from taas_billing.billing import bill
from taas_billing.consumers import make_runner
from taas_billing.domain.usage_id import usage_event_id
from taas_contracts.catalog import Severity
from taas_contracts.topics import AGENCY_SNAPSHOTS, BILLING_USAGE, DISPATCH_EVENTS
from taas_kit.testing import free_port, running, spawn_service

pytestmark = pytest.mark.integration

TOTALS = """SELECT account, sum(debit_cents)::bigint AS debit, sum(credit_cents)::bigint AS credit, count(*) AS n
            FROM ledger_lines WHERE agency_id = ANY($1::text[]) GROUP BY account ORDER BY account"""


def _shapes(h, agency: str, n: int, lenders: list[str | None]):
    """n completions alternating two shapes: 2 business hours (24,000) or critical 16:00-18:00 EDT (40,500)."""
    works = []
    for i in range(n):
        day = 7 + i % 4  # Monday 2027-06-07 .. Thursday
        if i % 2:
            entries = [(h.utc(2027, 6, day, 20), h.utc(2027, 6, day, 22))]
            works.append(h.completed(agency, entries, severity=Severity.CRITICAL, lender=lenders[i % len(lenders)]))
        else:
            entries = [(h.utc(2027, 6, day, 14), h.utc(2027, 6, day, 16))]
            works.append(h.completed(agency, entries, lender=lenders[i % len(lenders)]))
    return works


def _expected_cents(n: int) -> int:
    return sum(40_500 if i % 2 else 24_000 for i in range(n))


def _expected_segments(n: int) -> int:
    return sum(2 if i % 2 else 1 for i in range(n))


async def _totals(pool: asyncpg.Pool, agencies: list[str]) -> list[tuple]:
    """Ledger totals per account, over the lines of these agencies (the module's topics carry other tests' events)."""
    return [tuple(r) for r in await pool.fetch(TOTALS, agencies)]


async def _caught_up(settings, group: str) -> bool:
    """True when `group` has committed the end offset of every partition of the input topics."""
    topics = [settings.topic(DISPATCH_EVENTS), settings.topic(AGENCY_SNAPSHOTS)]
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await consumer.start()
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
        parts = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
        assert len(parts) == DISPATCH_EVENTS.partitions + AGENCY_SNAPSHOTS.partitions
        ends = await consumer.end_offsets(parts)
        committed = await admin.list_consumer_group_offsets(group)
        return all(ends[tp] == 0 or (tp in committed and committed[tp].offset >= ends[tp]) for tp in parts)
    finally:
        await admin.close()
        await consumer.stop()


def _consuming(settings, pool):
    return running(make_runner(settings, pool).run())


async def test_replaying_the_dispatch_topic_from_the_beginning_changes_no_total(harness, billing_settings, serve):
    h, settings = harness, billing_settings
    agency, capped = h.uid("ash"), h.uid("capped")
    await h.agency(agency)
    await h.agency(capped, cap=100_000)
    works = _shapes(h, agency, 30, [None, "elm-city", "oak-town"]) + _shapes(h, capped, 6, [None])
    for work in works:
        await h.dispatch(h.created(work), work)
    # Redeliveries of the same event, and dispatch emitting a second completion (a new event id) for one assignment.
    copy = await h.send(works[0], works[0].request_id)
    await h.send_raw(DISPATCH_EVENTS.name, works[0].request_id, copy)
    await h.send(works[1], works[1].request_id)

    async with serve(settings):
        for work in works:
            await h.wait_for(lambda w=work: h.billed(w.assignment_id))
        await h.wait_for(lambda: _caught_up(settings, settings.group()))
        await h.wait_for(lambda: h.pool.fetchval("SELECT count(*) = 0 FROM outbox"))
    before = await _totals(h.pool, [agency, capped])
    count_segments = "SELECT count(*) FROM usage_segments WHERE agency_id = ANY($1::text[])"
    list_alerts = "SELECT month, threshold_percent FROM budget_alerts WHERE agency_id = $1 ORDER BY 1, 2"
    segments = await h.pool.fetchval(count_segments, [agency, capped])
    alerts = await h.pool.fetch(list_alerts, capped)
    assert segments == _expected_segments(30) + _expected_segments(6)
    receivable = dict((a, d) for a, d, _, _ in before)
    assert receivable[f"agency:{agency}:receivable"] == _expected_cents(30)
    assert receivable[f"agency:{capped}:receivable"] == _expected_cents(6)
    assert [r["threshold_percent"] for r in alerts] == [80, 100]

    # Replay 1: a fresh consumer group reads every event again (the inbox recognises them).
    # Replay 2: a fresh group and a fresh consumer name, so the inbox knows none of them: the assignment
    # status and the UNIQUE constraints are what stop a second bill.
    for name in ("billing", "billing-replay"):
        replay = settings.model_copy(update={"consumer_group": h.uid("replay"), "consumer_name": name})
        async with _consuming(replay, h.pool):
            await h.wait_for(lambda r=replay: _caught_up(r, r.group()), timeout=60)
        assert await _totals(h.pool, [agency, capped]) == before
        assert await h.pool.fetchval(count_segments, [agency, capped]) == segments
        assert await h.pool.fetch(list_alerts, capped) == alerts
        assert await h.pool.fetchval(
            "SELECT count(*) FROM outbox WHERE key = ANY($1::text[])", [agency, capped]) == 0  # nothing written again
    handled_twice = await h.pool.fetchval(
        "SELECT count(*) FROM processed_messages WHERE consumer = 'billing-replay'")
    assert handled_twice > len(works)  # the second replay really did handle every event again


async def test_a_second_copy_of_billed_usage_is_refused_by_the_database(harness, client):
    h = harness
    agency = h.uid("dup")
    await h.agency(agency)
    done = h.completed(agency, [(h.utc(2027, 6, 8, 20), h.utc(2027, 6, 8, 22))], severity=Severity.CRITICAL)
    [envelope] = await h.dispatch(done)
    await h.wait_for(lambda: h.billed(done.assignment_id))
    mine = "SELECT account, debit_cents, credit_cents FROM ledger_lines WHERE assignment_id = $1 ORDER BY id"
    before = await h.pool.fetch(mine, done.assignment_id)
    # Bypass every guard of the use case: bill the same work again, directly.
    async with h.pool.acquire() as conn:
        agency_row = await conn.fetchrow("SELECT * FROM agencies WHERE agency_id = $1", agency)
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await bill(conn, h.settings, Billable.from_completed(done, envelope.id), agency_row)
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await bill(conn, h.settings, Billable.from_completed(done, "another-event-id"), agency_row)
        key = f"{done.assignment_id}:0:business_hours"
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                """INSERT INTO ledger_lines (segment_key, account, debit_cents, credit_cents, usage_id, assignment_id,
                                             agency_id, month, source_event_id)
                   SELECT segment_key, account, debit_cents, credit_cents, usage_id, assignment_id, agency_id, month,
                          'x' FROM ledger_lines WHERE segment_key = $1 LIMIT 1""", key)
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE ledger_lines SET debit_cents = debit_cents * 2 WHERE segment_key = $1", key)
        with pytest.raises(asyncpg.RaiseError, match="does not balance"):
            async with conn.transaction():
                await conn.execute(
                    """INSERT INTO ledger_lines (segment_key, account, debit_cents, credit_cents, usage_id,
                                                 assignment_id, agency_id, month, source_event_id)
                       SELECT segment_key, 'pool:extra', 0, 1, usage_id, assignment_id, agency_id, month, 'x'
                       FROM usage_segments WHERE segment_key = $1""", key)
    assert await h.pool.fetch(mine, done.assignment_id) == before


def _spawn(settings, log) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers, "TAAS_TOPIC_PREFIX": settings.topic_prefix,
           "TAAS_BILLING_DB_SCHEMA": settings.db_schema, "TAAS_BILLING_CONSUMER_GROUP": settings.consumer_group,
           "TAAS_BILLING_HTTP_PORT": str(free_port()), "TAAS_BILLING_CONSUMER_BATCH": "50",
           "TAAS_BILLING_LOG_LEVEL": "WARNING", "TAAS_BILLING_OUTBOX_POLL_SECONDS": "0.5"}
    return spawn_service("taas_billing", env, stdout=log, stderr=log)


async def test_a_billing_process_killed_mid_batch_and_restarted_bills_nothing_twice_and_misses_nothing(
        harness, billing_settings, tmp_path):
    h, settings = harness, billing_settings
    agency = h.uid("kill")
    n = 400
    works = _shapes(h, agency, n, [None, "elm-city"])
    billed = lambda: _billed(h, agency)  # noqa: E731
    log = open(tmp_path / "billing.log", "ab")  # noqa: SIM115 - closed at the end
    first = _spawn(settings, log)
    try:
        # The agency is known first, so each completion is billed in its own transaction as it arrives.
        await h.agency(agency)
        await h.wait_for(lambda: h.pool.fetchval("SELECT count(*) FROM agencies WHERE agency_id = $1", agency),
                         timeout=60)
        producing = asyncio.create_task(h.dispatch(*works))
        await h.wait_for(lambda: _billed_at_least(h, agency, 20), timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)  # no shutdown, no offset commit, an open transaction lost
        first.wait(10)
    await producing
    at_kill = await billed()
    assert 0 < at_kill < n, f"the kill should land mid-stream ({at_kill} of {n} billed)"

    second = _spawn(settings, log)
    try:
        await h.wait_for(lambda: _all_billed(h, agency, n), timeout=120)
        await h.wait_for(lambda: h.pool.fetchval("SELECT count(*) = 0 FROM outbox WHERE key = $1", agency), timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
        log.close()

    assert await _billed(h, agency) == n
    assert await h.pool.fetchval("SELECT count(*) FROM usage_segments WHERE agency_id = $1", agency) == _expected_segments(n)
    assert await h.pool.fetchval(
        "SELECT sum(debit_cents) FROM ledger_lines WHERE account = $1", f"agency:{agency}:receivable") == _expected_cents(n)
    assert await h.pool.fetchval(
        "SELECT sum(debit_cents) - sum(credit_cents) FROM ledger_lines WHERE agency_id = $1", agency) == 0
    keys = [r["segment_key"] for r in await h.pool.fetch("SELECT segment_key FROM usage_segments WHERE agency_id = $1",
                                                         agency)]
    expected_ids = {str(usage_event_id(k)) for k in keys}
    records = await h.read(BILLING_USAGE.name, lambda rs: len({_id(r) for r in rs} & expected_ids) >= len(expected_ids),
                           timeout=60)
    published = {_id(r) for r in records} & expected_ids
    assert published == expected_ids  # every segment's usage event is out (a republished copy has the same id)


async def _billed(h, agency: str) -> int:
    return await h.pool.fetchval("SELECT count(*) FROM assignments WHERE agency_id = $1 AND status = 'billed'", agency)


async def _billed_at_least(h, agency: str, n: int) -> bool:
    return await _billed(h, agency) >= n


async def _all_billed(h, agency: str, n: int) -> bool:
    return await _billed(h, agency) == n


def _id(record) -> str:
    return dict(record.headers)["taas_id"].decode()
