"""No double booking, ever: 300 requests racing for 20 providers, and two instances in one consumer group."""

import pytest

from taas_contracts.catalog import Severity
from taas_contracts.topics import DISPATCH_EVENTS

pytestmark = pytest.mark.integration

LIVE = "('assigned', 'acknowledged', 'started')"


async def _settled(harness, count: int) -> bool:
    done = await harness.pool.fetchval("SELECT count(*) FROM requests WHERE status IN ('assigned', 'unfilled')")
    return done >= count


async def _assert_nobody_double_booked(harness) -> None:
    doubled = await harness.pool.fetch(
        f"""SELECT a.provider_id FROM assignments AS a JOIN assignments AS b
            ON a.provider_id = b.provider_id AND a.assignment_id < b.assignment_id
            AND tstzrange(a.window_start, a.window_end) && tstzrange(b.window_start, b.window_end)
            WHERE a.status IN {LIVE} AND b.status IN {LIVE}""")
    assert doubled == []
    per_provider = await harness.pool.fetch("SELECT provider_id, count(*) AS n FROM bookings GROUP BY provider_id")
    assert all(r["n"] == 1 for r in per_provider)


async def _run_race(harness, providers: int, requests: int) -> list[str]:
    agency = harness.uid("a")
    await harness.send(*(harness.snapshot(harness.uid("p"), on_call=True, rate=5_000 + i)
                         for i in range(providers)))
    await harness.providers_loaded(providers)
    ids = [harness.uid("r") for _ in range(requests)]
    await harness.send(*(harness.submitted(r, agency, severity=Severity.CRITICAL) for r in ids))
    await harness.wait_for(lambda: _settled(harness, requests), timeout=120, what="every request settled")
    return ids


async def test_300_concurrent_requests_for_20_providers_give_exactly_20_assignments(client, harness):
    ids = await _run_race(harness, providers=20, requests=300)
    statuses = dict(await harness.pool.fetch("SELECT status, count(*) FROM requests GROUP BY status"))
    assert statuses == {"assigned": 20, "unfilled": 280}
    assert await harness.pool.fetchval(f"SELECT count(*) FROM assignments WHERE status IN {LIVE}") == 20
    await _assert_nobody_double_booked(harness)

    logged = await harness.pool.fetchval(
        "SELECT count(DISTINCT request_id) FROM dispatch_log WHERE step = 'outcome' AND summary LIKE 'unfilled:%'")
    assert logged == 280
    events = await harness.read_events(DISPATCH_EVENTS, lambda found: sum(
        e.type == "taas.request.unfilled.v1" for e in found) >= 280 and sum(
        e.type == "taas.assignment.created.v1" for e in found) >= 20, timeout=60, settle=0.5)
    unfilled = {e.correlationid for e in events if e.type == "taas.request.unfilled.v1"}
    created = [e for e in events if e.type == "taas.assignment.created.v1"]
    assert len(unfilled) == 280 and unfilled <= set(ids)
    assert len(created) == 20 and len({e.data["provider_id"] for e in created}) == 20


async def test_two_instances_in_one_group_never_book_a_provider_twice(make_settings, serve, harness):
    group = harness.uid("g")
    first, second = make_settings(consumer_group=group), make_settings(consumer_group=group)
    async with serve(first), serve(second):
        await _run_race(harness, providers=30, requests=150)
    statuses = dict(await harness.pool.fetch("SELECT status, count(*) FROM requests GROUP BY status"))
    assert statuses == {"assigned": 30, "unfilled": 120}
    await _assert_nobody_double_booked(harness)
