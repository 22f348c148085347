"""The main flow against the real broker and database: offer, answers, assignment lifecycle, events."""

from datetime import timedelta

import pytest

from taas_contracts.catalog import Severity
from taas_contracts.topics import DISPATCH_EVENTS, DISPATCH_LOG

pytestmark = pytest.mark.integration


def _of(events, request_id: str) -> list:
    return [e for e in events if e.correlationid == request_id]


async def test_offer_accept_start_log_complete_emits_every_event_in_seq_order(client, harness):
    agency, best, other = harness.uid("a"), harness.uid("p"), harness.uid("p")
    await harness.send(harness.snapshot(best, rate=5_000), harness.snapshot(other, rate=15_000))
    await harness.providers_loaded(2)
    request_id = harness.uid("r")
    await harness.send(harness.submitted(request_id, agency))
    offer = await harness.pending_offer(request_id)
    assert offer["provider_id"] == best  # cheaper, all else equal
    h = harness.token("provider", best)

    listed = await client.get("/v1/offers", headers=h)
    assert listed.status == 200 and [o["offer_id"] for o in await listed.json()] == [offer["offer_id"]]
    accepted = await client.post(f"/v1/offers/{offer['offer_id']}/accept", headers=h)
    assert accepted.status == 200, await accepted.text()
    assignment_id = (await accepted.json())["assignment_id"]
    again = await client.post(f"/v1/offers/{offer['offer_id']}/accept", headers=h)
    assert again.status == 409 and (await again.json())["code"] == "offer_already_answered"

    base = f"/v1/assignments/{assignment_id}"
    assert (await client.post(f"{base}/start", headers=h)).status == 200
    t = harness.now()
    entry = await client.post(f"{base}/time-entries", headers=h,
                              json={"started_at": t.isoformat(), "minutes": 0, "note": "x"})
    assert entry.status == 422 and (await entry.json())["errors"][0]["field"] == "minutes"
    future = await client.post(f"{base}/time-entries", headers=h,
                               json={"started_at": (t + timedelta(hours=1)).isoformat(), "minutes": 30})
    assert future.status == 422
    started = await harness.pool.fetchval("SELECT started_at FROM assignments WHERE assignment_id = $1",
                                          assignment_id)
    # A one-minute entry that ended before "now": start the clock back so it is in the past.
    await harness.pool.execute("UPDATE assignments SET started_at = $2 WHERE assignment_id = $1", assignment_id,
                               started - timedelta(hours=2))
    unlogged = await client.post(f"{base}/complete", headers=h)  # nothing logged yet: it would bill nothing
    assert unlogged.status == 409 and (await unlogged.json())["code"] == "no_time_logged"
    logged = await client.post(f"{base}/time-entries", headers=h, json={
        "started_at": (t - timedelta(minutes=90)).isoformat(), "minutes": 45, "note": "triage"})
    assert logged.status == 201, await logged.text()
    done = await client.post(f"{base}/complete", headers=h)
    assert done.status == 200 and (await done.json())["status"] == "completed"
    assert await harness.request_status(request_id) == "completed"
    assert await harness.pool.fetchval("SELECT count(*) FROM bookings") == 0

    wanted = ["taas.request.matching.v1", "taas.offer.created.v1", "taas.offer.accepted.v1",
              "taas.assignment.created.v1", "taas.assignment.started.v1", "taas.assignment.time_logged.v1",
              "taas.assignment.completed.v1"]
    events = _of(await harness.read_events(DISPATCH_EVENTS, lambda found: len(_of(found, request_id)) >= 7,
                                           settle=0.5), request_id)
    assert [e.type for e in events] == wanted
    assert [e.data["seq"] for e in events] == list(range(1, 8))
    created, completed = events[3].data, events[6].data
    assert created["rate_cents"] == 5_000 and created["provider_home_jurisdiction_id"] == "j-home"
    assert created["via"] == "offer"
    assert [e["note"] for e in completed["entries"]] == ["triage"]
    assert all(e.tenant == agency and e.subject == request_id for e in events)


async def test_decline_moves_on_and_late_or_foreign_answers_are_refused(client, harness):
    agency, first, second = harness.uid("a"), harness.uid("p"), harness.uid("p")
    await harness.send(harness.snapshot(first, rate=5_000), harness.snapshot(second, rate=6_000))
    await harness.providers_loaded(2)
    request_id = harness.uid("r")
    await harness.send(harness.submitted(request_id, agency))
    offer = await harness.pending_offer(request_id)
    assert offer["provider_id"] == first

    foreign = await client.post(f"/v1/offers/{offer['offer_id']}/accept", headers=harness.token("provider", second))
    unknown = await client.post("/v1/offers/nope/accept", headers=harness.token("provider", second))
    assert foreign.status == unknown.status == 404
    assert (await foreign.json()) == {**(await unknown.json()), "instance": f"/v1/offers/{offer['offer_id']}/accept"}
    bad = await client.post(f"/v1/offers/{offer['offer_id']}/decline", headers=harness.token("provider", first),
                            json={"reason": "", "extra": 1})
    assert bad.status == 422 and {e["field"] for e in (await bad.json())["errors"]} == {"reason", "extra"}

    declined = await client.post(f"/v1/offers/{offer['offer_id']}/decline", headers=harness.token("provider", first),
                                 json={"reason": "on leave"})
    assert declined.status == 200 and (await declined.json())["status"] == "declined"
    late = await client.post(f"/v1/offers/{offer['offer_id']}/accept", headers=harness.token("provider", first))
    assert late.status == 409 and (await late.json())["code"] == "offer_already_answered"
    nxt = await harness.pending_offer(request_id)
    assert nxt["provider_id"] == second


async def test_nobody_left_is_unfilled_logged_and_matched_again_when_a_provider_appears(client, harness):
    agency, request_id = harness.uid("a"), harness.uid("r")
    expensive = harness.uid("p")
    await harness.send(harness.snapshot(expensive, rate=90_000))
    await harness.providers_loaded(1)
    await harness.send(harness.submitted(request_id, agency, cap=20_000))
    assert await harness.wait_status(request_id, "unfilled") == "unfilled"
    ops = harness.token("ops")
    unfilled = await (await client.get("/v1/unfilled", headers=ops)).json()
    assert [u["request_id"] for u in unfilled] == [request_id]
    page = await (await client.get("/v1/dispatch-log", headers=ops, params={"request_id": request_id})).json()
    decision = next(r for r in page["items"] if r["step"] == "decision")
    assert decision["detail"]["excluded_sample"] == [{"provider_id": expensive, "reasons": [
        {"code": "rate_above_cap", "message": "rate 90000 cents/h is above the cap of 20000"}]}]
    assert any(r["step"] == "outcome" and r["summary"].startswith("unfilled") for r in page["items"])

    # The provider lowers their rate: a new snapshot could change the answer, so the request is matched again.
    await harness.send(harness.snapshot(expensive, rate=10_000, version=2))
    offer = await harness.pending_offer(request_id)
    assert offer["provider_id"] == expensive and offer["round_number"] == 2


async def test_agency_cancellation_releases_without_redispatch_and_provider_release_redispatches(
        client, harness):
    agency, first, second = harness.uid("a"), harness.uid("p"), harness.uid("p")
    # `second` costs nearly the cap, so `first` stays ahead despite the fairness cost of r1's assignment.
    await harness.send(harness.snapshot(first, rate=5_000, on_call=True), harness.snapshot(second, rate=19_000))
    await harness.providers_loaded(2)
    r1, r2 = harness.uid("r"), harness.uid("r")
    await harness.send(harness.submitted(r1, agency, severity=Severity.CRITICAL))
    assert await harness.wait_status(r1, "assigned") == "assigned"
    row = await harness.pool.fetchrow("SELECT * FROM assignments WHERE request_id = $1", r1)
    assert row["provider_id"] == first and row["via"] == "on_call" and row["acknowledge_by"] is not None
    h = harness.token("provider", first)
    ack = await client.post(f"/v1/assignments/{row['assignment_id']}/acknowledge", headers=h)
    assert ack.status == 200 and (await ack.json())["status"] == "acknowledged"
    await harness.send(harness.cancelled(r1, agency))
    assert await harness.wait_status(r1, "cancelled") == "cancelled"
    assert await harness.pool.fetchval("SELECT count(*) FROM bookings") == 0

    # Off call now, so the next request is offered rather than assigned at once.
    await harness.send(harness.snapshot(first, rate=5_000, version=2))
    await harness.wait_for(lambda: harness.pool.fetchval(
        "SELECT on_call_until IS NULL FROM providers WHERE provider_id = $1", first))
    await harness.send(harness.submitted(r2, agency, severity=Severity.LOW))
    offer = await harness.pending_offer(r2)
    assert offer["provider_id"] == first
    accepted = await (await client.post(f"/v1/offers/{offer['offer_id']}/accept", headers=h)).json()
    released = await client.post(f"/v1/assignments/{accepted['assignment_id']}/release", headers=h,
                                 json={"reason": "family emergency"})
    assert released.status == 200 and (await released.json())["status"] == "released"
    nxt = await harness.pending_offer(r2)
    assert nxt["provider_id"] == second and nxt["round_number"] == 2

    events = await harness.read_events(DISPATCH_EVENTS, lambda f: sum(
        e.type == "taas.assignment.released.v1" for e in f) >= 2, settle=0.3)
    releases = {e.correlationid: e.data for e in events if e.type == "taas.assignment.released.v1"}
    assert (releases[r1]["by"], releases[r1]["redispatch"]) == ("agency", False)
    assert (releases[r2]["by"], releases[r2]["redispatch"]) == ("provider", True)


async def test_ops_assign_by_hand_is_logged_as_an_override(client, harness):
    agency, chosen = harness.uid("a"), harness.uid("p")
    await harness.send(harness.snapshot(chosen, rate=90_000))
    await harness.providers_loaded(1)
    request_id = harness.uid("r")
    await harness.send(harness.submitted(request_id, agency, cap=20_000))
    await harness.wait_status(request_id, "unfilled")
    ops = harness.token("ops")
    bad = await client.post(f"/v1/requests/{request_id}/assign", headers=ops, json={"provider_id": chosen})
    assert bad.status == 422
    made = await client.post(f"/v1/requests/{request_id}/assign", headers=ops,
                             json={"provider_id": chosen, "reason": "only one who knows their SCADA"})
    assert made.status == 201, await made.text()
    twice = await client.post(f"/v1/requests/{request_id}/assign", headers=ops,
                              json={"provider_id": chosen, "reason": "again"})
    assert twice.status == 409 and (await twice.json())["code"] == "already_assigned"
    page = await (await client.get("/v1/dispatch-log", headers=ops, params={"provider_id": chosen})).json()
    override = next(r for r in page["items"] if r["step"] == "override")
    assert override["detail"]["overridden_filters"][0]["code"] == "rate_above_cap"
    records = await harness.read_events(DISPATCH_LOG, lambda f: any(
        e.data["step"] == "override" and e.correlationid == request_id for e in f))
    assert any(e.data["step"] == "override" for e in records)
