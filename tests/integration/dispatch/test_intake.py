"""The submitted-request use case in-process on a real database: its round trips, its writes, a failing match."""

import asyncio
import contextlib

import asyncpg
import pytest

from taas_contracts.catalog import Role
from taas_contracts.events.dispatch import DispatchLogRecorded, OfferCreated, RequestMatching, RequestUnfilled
from taas_dispatch.config import load_config
from taas_dispatch.effects import Effects, log_channel
from taas_dispatch.handlers import intake
from taas_dispatch.handlers.context import Deps
from taas_dispatch.readmodel import provider_row
from taas_dispatch.repository import changes
from taas_dispatch.repository.providers import upsert_many_providers
from taas_kit import db, outbox
from taas_kit.consumer import ATTEMPT

from .conftest import settings_for, snapshot, submitted, uid

pytestmark = pytest.mark.integration


@pytest.fixture
async def deps(pg_dsn: str, dispatch_schema: str) -> Deps:
    """Dispatch's dependencies on this test's schema (no broker needed: events stay in the outbox)."""
    settings = settings_for(pg_dsn, dispatch_schema, "127.0.0.1:9", uid("t") + ".")
    return Deps(settings, load_config(settings))


@pytest.fixture
async def pool(deps: Deps):
    """A pool on the test's schema, with three providers who can take an incident."""
    p = await db.create_pool(deps.settings.database_url, deps.settings.db_schema, min_size=1, max_size=3)
    async with p.acquire() as conn:
        await upsert_many_providers(conn, [provider_row(snapshot(uid("p"), rate=5_000 * (i + 1))) for i in range(3)])
    yield p
    await p.close()


@contextlib.asynccontextmanager
async def _statements(conn: asyncpg.Connection):
    """The statements `conn` sends inside the block (asyncpg calls its query loggers soon after each one)."""
    sent: list[str] = []

    def record(query) -> None:
        sent.append(query.query)

    conn.add_query_logger(record)
    try:
        yield sent
        await asyncio.sleep(0)
    finally:
        conn.remove_query_logger(record)


def _message(request_id: str) -> tuple:
    event = submitted(request_id, uid("a"))
    return event, event.envelope(source="/tests", subject=request_id, tenant=event.agency_id)


async def _outbox_types(conn: asyncpg.Connection, request_id: str) -> list[str]:
    return [r["type"] for r in await conn.fetch("SELECT type FROM outbox WHERE key = $1 ORDER BY id", request_id)]


async def test_a_submitted_request_is_stored_matched_and_offered_in_three_statements(pool, deps):
    request_id = uid("r")
    event, envelope = _message(request_id)
    async with pool.acquire() as conn:
        async with conn.transaction():  # a connection's first use also looks up the types it has not seen yet
            await intake.request_submitted(conn, deps, *_message(uid("r")))
        async with conn.transaction(), _statements(conn) as sent:
            await intake.request_submitted(conn, deps, event, envelope)
        # The request row with the read-model lock; candidates with their history; offers with their deadlines,
        # log records, events, NOTIFY and the request's new state.
        assert len(sent) == 3, sent
        row = await conn.fetchrow("SELECT status, seq, round_number FROM requests WHERE request_id = $1", request_id)
        assert (row["status"], row["round_number"]) == ("offered", 1)
        logged = await conn.fetch("SELECT step, id FROM dispatch_log WHERE request_id = $1 ORDER BY id", request_id)
        assert [r["step"] for r in logged] == ["decision", "offer"]
        offer = await conn.fetchrow("SELECT offer_id, expires_at FROM offers WHERE request_id = $1", request_id)
        assert await conn.fetchval("SELECT due_at FROM timers WHERE kind = 'offer_expiry' AND ref_id = $1",
                                   offer["offer_id"]) == offer["expires_at"]
        assert await _outbox_types(conn, request_id) == [
            RequestMatching.EVENT_TYPE, OfferCreated.EVENT_TYPE, DispatchLogRecorded.EVENT_TYPE,
            DispatchLogRecorded.EVENT_TYPE]
        assert row["seq"] == 2


@pytest.mark.parametrize("failure", ["bug", "database"])
async def test_a_failing_match_rolls_back_then_leaves_the_request_unfilled_when_retried(pool, deps, monkeypatch,
                                                                                         failure):
    async def broken_find(conn, *args, **kwargs):
        await conn.execute("SELECT 1 / 0")  # aborts the transaction, as any database error in matching would

    def broken_rank(*args, **kwargs):
        raise RuntimeError("scoring bug")

    if failure == "bug":
        monkeypatch.setattr("taas_dispatch.handlers.matching.rank_explained", broken_rank)
    else:
        monkeypatch.setattr("taas_dispatch.repository.candidates.find", broken_find)
    request_id = uid("r")
    event, envelope = _message(request_id)
    async with pool.acquire() as conn:
        with pytest.raises((RuntimeError, asyncpg.DivisionByZeroError)):
            async with conn.transaction():  # the consumer runner's transaction
                await intake.request_submitted(conn, deps, event, envelope)
        assert await conn.fetchval("SELECT count(*) FROM requests WHERE request_id = $1", request_id) == 0

        retry = ATTEMPT.set(2)  # as the runner marks its retry of the message
        try:
            async with conn.transaction():  # matched within a savepoint now
                await intake.request_submitted(conn, deps, event, envelope)
        finally:
            ATTEMPT.reset(retry)
        row = await conn.fetchrow("SELECT status, unfilled_reason FROM requests WHERE request_id = $1", request_id)
        assert row["status"] == "unfilled"
        expected = "RuntimeError" if failure == "bug" else "DivisionByZeroError"
        assert row["unfilled_reason"] == f"dispatch could not match it ({expected}); ops must assign by hand"
        assert await _outbox_types(conn, request_id) == [RequestUnfilled.EVENT_TYPE, DispatchLogRecorded.EVENT_TYPE]


async def test_effects_and_the_request_row_are_one_statement_with_ids_in_order_and_one_notify(pool, deps):
    schema = deps.settings.db_schema
    request_id, agency_id = uid("r"), uid("a")
    woken: list[str] = []
    listener = await asyncpg.connect(deps.settings.database_url)
    await listener.add_listener(outbox.channel(schema), lambda *args: woken.append("outbox"))
    await listener.add_listener(log_channel(schema), lambda *args: woken.append("log"))
    try:
        async with pool.acquire() as conn:
            await conn.execute("INSERT INTO requests (request_id, agency_id, status) VALUES ($1, $2, 'matching')",
                               request_id, agency_id)
            fx = Effects(deps.settings, request_id, agency_id, 0, intake._now())
            for i in range(3):
                fx.log("decision", f"record {i}", detail={"i": i})
            async with conn.transaction(), _statements(conn) as sent:
                await fx.flush(conn, request={"request_id": request_id, "status": "unfilled", "round_number": 1,
                                              "round": None, "window_start": None, "window_end": None, "seq": 0,
                                              "unfilled_reason": "none", "unfilled_at": fx.now})
            writes = [q for q in sent if "dispatch_log" in q or "outbox" in q or "requests" in q]
            assert len(writes) == 1 and all(w in writes[0] for w in ("dispatch_log", "outbox", "UPDATE requests"))
            logged = await conn.fetch("SELECT summary FROM dispatch_log WHERE request_id = $1 ORDER BY id", request_id)
            assert [r["summary"] for r in logged] == ["record 0", "record 1", "record 2"]
            envelopes = await conn.fetch("SELECT envelope FROM outbox WHERE key = $1 ORDER BY id", request_id)
            assert [e["envelope"]["data"]["summary"] for e in envelopes] == ["record 0", "record 1", "record 2"]
            assert await conn.fetchval("SELECT status FROM requests WHERE request_id = $1", request_id) == "unfilled"
            await _wait(lambda: sorted(woken) == ["log", "outbox"])

            woken.clear()
            async with conn.transaction():  # nothing to publish: no outbox NOTIFY
                await changes.write(conn, schema, [], [], {
                    "request_id": request_id, "status": "cancelled", "round_number": 1, "round": None,
                    "window_start": None, "window_end": None, "seq": 0, "unfilled_reason": None, "unfilled_at": None})
            assert await conn.fetchval("SELECT status FROM requests WHERE request_id = $1", request_id) == "cancelled"
            await listener.execute("SELECT 1")  # notifications sent before this round trip have arrived
            assert woken == []
    finally:
        await listener.close()


async def _wait(check, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)



async def test_a_burst_of_like_requests_spreads_its_offers_over_the_pool(pool, deps):
    # Three providers, the cheapest ranked first on cost alone: its open offer counts against it for the next
    # request (fairness is one weighted factor among others, so it does not force a strict rotation).
    async with pool.acquire() as conn:
        for _ in range(3):
            async with conn.transaction():
                await intake.request_submitted(conn, deps, *_message(uid("r")))
        offered = [r["provider_id"] for r in await conn.fetch("SELECT provider_id FROM offers ORDER BY created_at")]
        assert offered[0] != offered[1], offered
        logged = await conn.fetchval(
            "SELECT detail -> 'candidates' -> 0 -> 'facts' FROM dispatch_log "
            "WHERE step = 'decision' ORDER BY id DESC LIMIT 1")
        assert {"recent_assignments", "open_offers"} <= set(logged)


async def _second_waits_for_first(pool, first, second, why: str) -> None:
    """`first(conn)` in a transaction left open, `second(conn)` in another: it must wait until the first commits."""
    async with pool.acquire() as one, pool.acquire() as other:
        opened = one.transaction()
        await opened.start()
        await first(one)

        async def run_second() -> None:
            async with other.transaction():
                await second(other)

        waiting = asyncio.create_task(run_second())
        try:
            await asyncio.sleep(0.5)
            assert not waiting.done(), why
        finally:
            await opened.commit()
        await asyncio.wait_for(waiting, 10)


def _ciso_arrives_as_a_ciso_request_is_filed(deps):
    """A provider with a role nobody has yet, a request for that role, and the two use cases that bring them in."""
    ciso = snapshot(uid("p"), role=Role.CISO)
    request_id = uid("r")
    event = submitted(request_id, uid("a"), role=Role.CISO)
    envelope = event.envelope(source="/tests", subject=request_id, tenant=event.agency_id)

    async def land(conn) -> None:
        await intake.provider_snapshot(conn, deps, ciso, ciso.envelope(source="/tests"))

    async def file(conn) -> None:
        await intake.request_submitted(conn, deps, event, envelope)

    return ciso.provider_id, request_id, land, file


async def test_a_request_filed_while_a_provider_snapshot_lands_waits_for_it_and_is_offered_to_that_provider(
        pool, deps):
    # Regression: without the read-model lock, matching did not see the new provider and the snapshot's re-match
    # check did not see the new request yet, so the request stayed unfilled with a provider able to take it.
    provider_id, request_id, land, file = _ciso_arrives_as_a_ciso_request_is_filed(deps)
    await _second_waits_for_first(pool, land, file, "matching must wait for the snapshot being written")
    assert await pool.fetchval("SELECT provider_id FROM offers WHERE request_id = $1", request_id) == provider_id


async def test_a_snapshot_landing_while_a_request_is_matched_waits_and_then_queues_its_re_match(pool, deps):
    _, request_id, land, file = _ciso_arrives_as_a_ciso_request_is_filed(deps)
    await _second_waits_for_first(pool, file, land, "the snapshot must wait for the matching that holds the read model")
    assert await pool.fetchval("SELECT status FROM requests WHERE request_id = $1", request_id) == "unfilled"
    assert await pool.fetchval("SELECT count(*) FROM timers WHERE kind = 'rematch' AND request_id = $1",
                               request_id) == 1
