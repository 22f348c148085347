"""The ops board: open requests against their response targets, and the pool as it stands now."""

from datetime import timedelta

import pytest

from taas_contracts.catalog import Role, Severity
from taas_contracts.events.requests import AgencySnapshot, BusinessHours

pytestmark = pytest.mark.integration


def _agency(agency_id: str) -> AgencySnapshot:
    return AgencySnapshot(agency_id=agency_id, name="Pine County", state="MN", jurisdiction="Pine County",
                          population=8000, time_zone="America/Chicago", business_hours=BusinessHours(), version=1)


async def test_the_board_shows_open_requests_against_their_targets_and_the_pool_now(client, harness):
    agency = harness.uid("a")
    on_call, paused, free, away = (harness.uid(p) for p in ("oncall", "paused", "free", "away"))
    await harness.send(_agency(agency), harness.snapshot(on_call, on_call=True), harness.snapshot(paused, status="paused"),
                       harness.snapshot(free, role=Role.GIS_ANALYST),
                       harness.snapshot(away, available=False))
    await harness.providers_loaded(4)
    await harness.wait_for(lambda: harness.pool.fetchval("SELECT name FROM agencies WHERE agency_id = $1", agency))
    assigned, waiting, late, done = (harness.uid(r) for r in ("assigned", "waiting", "late", "done"))
    # Critical: the on-call responder (the only one available) is assigned at once. Nobody is a CISO: the CISO
    # requests stay unfilled.
    await harness.send(harness.submitted(assigned, agency, severity=Severity.CRITICAL))
    await harness.wait_status(assigned, "assigned")
    overdue = harness.submitted(late, agency, role=Role.CISO)
    overdue = overdue.model_copy(update={"respond_by": harness.now() - timedelta(minutes=5)})
    await harness.send(harness.submitted(waiting, agency, role=Role.CISO), overdue,
                       harness.submitted(done, agency, role=Role.CISO))
    await harness.send(harness.cancelled(done, agency))
    for request_id in (waiting, late):
        await harness.wait_status(request_id, "unfilled")
    await harness.wait_status(done, "cancelled")

    resp = await client.get("/v1/board", headers=harness.token("ops"))
    assert resp.status == 200
    board = await resp.json()
    rows = {r["request_id"]: r for r in board["requests"]}
    assert set(rows) == {assigned, waiting, late} and board["requests_total"] == 3  # the cancelled one is gone
    # Not yet assigned first, the nearest target first: the overdue one leads.
    assert [r["request_id"] for r in board["requests"]] == [late, waiting, assigned]
    assert rows[late]["target"] == "missed" and rows[late]["seconds_left"] < -4 * 60
    assert rows[waiting]["target"] == "running" and 13 * 60 < rows[waiting]["seconds_left"] <= 15 * 60
    assert rows[waiting]["status"] == "unfilled" and rows[waiting]["unfilled_reason"]
    assert rows[assigned]["target"] == "met" and rows[assigned]["seconds_left"] is None
    assert rows[assigned]["providers"] == [on_call] and rows[assigned]["first_assigned_at"]
    assert {r["agency_name"] for r in rows.values()} == {"Pine County"}
    assert rows[assigned]["severity"] == "critical" and rows[waiting]["role"] == "ciso"

    pool = {p["provider_id"]: p for p in board["pool"]}
    assert {pid: p["state"] for pid, p in pool.items()} == {
        on_call: "busy", paused: "paused", free: "available", away: "off"}
    assert pool[on_call]["engaged_requests"] == [assigned] and pool[on_call]["on_call_until"]
    assert board["pool_counts"] == {"paused": 1, "busy": 1, "on_call": 0, "available": 1, "off": 1}


async def test_an_on_call_provider_with_nothing_to_do_is_on_call(client, harness):
    provider = harness.uid("p")
    await harness.send(harness.snapshot(provider, on_call=True))
    await harness.providers_loaded(1)
    board = await (await client.get("/v1/board", headers=harness.token("ops"), params={"providers": 10})).json()
    assert [(p["provider_id"], p["state"]) for p in board["pool"]] == [(provider, "on_call")]
    assert board["requests"] == [] and board["requests_total"] == 0


async def test_the_board_is_for_ops_only(client, harness):
    assert (await client.get("/v1/board")).status == 401
    for role, tenant in (("agency", harness.uid("a")), ("provider", harness.uid("p")), ("billing", None)):
        resp = await client.get("/v1/board", headers=harness.token(role, tenant))
        assert resp.status == 403, role
    bad = await client.get("/v1/board", headers=harness.token("ops"), params={"requests": "0", "extra": "1"})
    assert bad.status == 422
