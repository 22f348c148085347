"""Ops views and deadlines: the dispatch log (filters, cursor, live stream), assignments, on-call acknowledgement."""

import asyncio
import json

import pytest

from taas_contracts.catalog import Severity

pytestmark = pytest.mark.integration


async def test_dispatch_log_pages_with_a_cursor_and_streams_live(client, harness):
    agency, provider = harness.uid("a"), harness.uid("p")
    await harness.send(harness.snapshot(provider))
    await harness.providers_loaded(1)
    ops = harness.token("ops")
    stream = await client.get("/v1/dispatch-log/stream", headers=ops, params={"agency_id": agency})
    assert stream.status == 200 and stream.headers["Content-Type"] == "text/event-stream"
    request_id = harness.uid("r")
    await harness.send(harness.submitted(request_id, agency))

    async def first_event() -> dict:
        while True:
            line = (await stream.content.readline()).decode()
            if line.startswith("data: "):
                return json.loads(line[6:])
    live = await asyncio.wait_for(first_event(), 30)
    assert live["request_id"] == request_id and live["step"] == "decision"
    stream.close()

    await harness.pending_offer(request_id)
    first = await (await client.get("/v1/dispatch-log", headers=ops,
                                    params={"request_id": request_id, "limit": 1})).json()
    assert len(first["items"]) == 1 and first["next_cursor"] is not None
    rest = await (await client.get("/v1/dispatch-log", headers=ops, params={
        "request_id": request_id, "cursor": first["next_cursor"]})).json()
    assert [r["step"] for r in rest["items"]] == ["decision"] and rest["next_cursor"] is None
    assert first["items"][0]["step"] == "offer"
    other = await (await client.get("/v1/dispatch-log", headers=ops, params={"agency_id": "someone-else"})).json()
    assert other["items"] == []
    bad = await client.get("/v1/dispatch-log", headers=ops, params={"limit": "0", "since": "yesterday"})
    assert bad.status == 422 and {e["field"] for e in (await bad.json())["errors"]} == {"limit", "since"}
    assert (await client.get("/v1/dispatch-log", headers=harness.token("provider", provider))).status == 403


async def test_missed_acknowledgement_releases_and_moves_on(make_settings, serve, harness):
    settings = make_settings(offer_policy={"critical": {"acknowledge_window_seconds": 1}})
    on_call, backup = harness.uid("p"), harness.uid("p")
    async with serve(settings) as client:
        await harness.send(harness.snapshot(on_call, on_call=True, rate=5_000), harness.snapshot(backup))
        await harness.providers_loaded(2)
        request_id = harness.uid("r")
        await harness.send(harness.submitted(request_id, harness.uid("a"), severity=Severity.CRITICAL))
        offer = await harness.pending_offer(request_id)  # after the on-call provider missed the deadline
        assert offer["provider_id"] == backup
        mine = await (await client.get("/v1/assignments", headers=harness.token("provider", on_call))).json()
        assert [(a["status"], a["release_cause"]) for a in mine] == [("released", "acknowledgement_missed")]
        late = await client.post(f"/v1/assignments/{mine[0]['assignment_id']}/acknowledge",
                                 headers=harness.token("provider", on_call))
        assert late.status == 409
        everyone = await (await client.get("/v1/assignments", headers=harness.token("ops"))).json()
        assert len(everyone) == 1
        theirs = await client.get("/v1/assignments", headers=harness.token("provider", backup))
        assert await theirs.json() == []


async def test_the_dashboard_page_is_public_and_its_data_calls_need_an_ops_token(client, harness):
    page = await client.get("/dashboard")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    text = await page.text()
    assert "/v1/dispatch-log/stream" in text and "/v1/board" in text
    assert (await client.get("/v1/unfilled")).status == 401
    assert (await client.get("/v1/unfilled", headers=harness.token("provider", "p-x"))).status == 403
    unfilled = await client.get("/v1/unfilled", headers=harness.token("ops"))
    assert unfilled.status == 200 and isinstance(await unfilled.json(), list)


async def test_a_missed_acknowledgement_matches_again_at_once_in_a_new_round(make_settings, serve, harness):
    """The backup who became available while the on-call provider was silent is offered the work at once."""
    settings = make_settings(offer_policy={"critical": {"acknowledge_window_seconds": 3}})
    on_call, backup = harness.uid("p"), harness.uid("p")
    async with serve(settings):
        await harness.send(harness.snapshot(on_call, on_call=True))
        await harness.providers_loaded(1)
        request_id = harness.uid("r")
        await harness.send(harness.submitted(request_id, harness.uid("a"), severity=Severity.CRITICAL))
        await harness.wait_for(lambda: harness.pool.fetchval(
            "SELECT 1 FROM assignments WHERE request_id = $1 AND provider_id = $2", request_id, on_call))
        await harness.send(harness.snapshot(backup))  # after round 1, so only a new round can find them
        await harness.providers_loaded(2)
        offer = await harness.pending_offer(request_id, timeout=15)
        assert offer["provider_id"] == backup and offer["round_number"] == 2
        steps = await harness.pool.fetch(
            "SELECT step, summary FROM dispatch_log WHERE request_id = $1 ORDER BY id", request_id)
        assert not [s for s in steps if s["summary"].startswith("unfilled")], steps
