"""The core flow across all four services, each its own process: request → offer → assignment → work → bill."""

import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

pytestmark = pytest.mark.e2e


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _json(resp: aiohttp.ClientResponse, *ok: int):
    body = await resp.json(content_type=None)
    assert resp.status in ok, f"{resp.method} {resp.url} answered {resp.status}: {body}"
    return body


async def test_incident_is_offered_assigned_worked_completed_and_billed_once(stack, eventually):
    lender, requester, outsider, provider_id = _id("lender"), _id("county"), _id("other"), _id("prov")
    ops = stack.token("ops")
    billing = stack.token("billing")
    async with aiohttp.ClientSession() as http:
        for agency_id in (lender, requester, outsider):
            await _json(await http.post(f"{stack.urls['requests']}/v1/agencies", headers=ops, json={
                "id": agency_id, "name": agency_id, "state": "MN", "jurisdiction": agency_id, "population": 9000,
                "time_zone": "America/Chicago", "monthly_budget_cap_cents": 100_000}), 201)
        # Staff of the lending county, available around the clock, CJIS-cleared.
        await _json(await http.post(f"{stack.urls['availability']}/v1/providers", headers=ops, json={
            "id": provider_id, "name": "Pat Responder", "roles": ["incident_responder"],
            "skills": ["ransomware", "forensics"], "hourly_rate_cents": 12_000, "time_zone": "America/Chicago",
            "home_jurisdiction_id": lender, "capacity": 1,
            "clearances": [{"kind": "cjis", "expires_on": (datetime.now(UTC) + timedelta(days=400)).date().isoformat()}],
            "windows": [{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)]}), 201)
        agency = stack.token("agency", requester)
        provider = stack.token("provider", provider_id)

        async def submit():
            async with http.post(f"{stack.urls['requests']}/v1/requests",
                                 headers={**agency, "Idempotency-Key": "ransomware-1"},
                                 json={"kind": "incident", "severity": "critical", "role": "incident_responder",
                                       "required_skills": ["ransomware"], "clearances": ["cjis"],
                                       "max_hourly_rate_cents": 20_000, "expected_hours": 4,
                                       "description": "Ransomware on the records server"}) as resp:
                return resp.status, await resp.json()

        # Dispatch may not have the provider's snapshot yet: a request filed too early is unfilled and re-matched
        # when the snapshot arrives, so either way an offer must reach the provider.
        status, request = await submit()
        assert status == 201
        request_id = request["id"]
        assert await submit() == (201, request)  # same key, same body: the original answer

        async def open_offer():
            async with http.get(f"{stack.urls['dispatch']}/v1/offers", headers=provider) as resp:
                body = await resp.json()
            items = body["items"] if isinstance(body, dict) else body
            return next((o for o in items if o["request_id"] == request_id and o["status"] == "pending"), None)

        offer = await eventually(open_offer, timeout=30)
        await _json(await http.post(f"{stack.urls['dispatch']}/v1/offers/{offer['offer_id']}/accept", headers=provider), 200)
        again = await http.post(f"{stack.urls['dispatch']}/v1/offers/{offer['offer_id']}/accept", headers=provider)
        assert again.status == 409 and again.content_type == "application/problem+json"

        async def request_status(expected: str):
            async with http.get(f"{stack.urls['requests']}/v1/requests/{request_id}", headers=agency) as resp:
                body = await resp.json()
            return body if body["status"] == expected else None

        await eventually(lambda: request_status("assigned"))

        async def my_assignment():
            async with http.get(f"{stack.urls['dispatch']}/v1/assignments", headers=provider) as resp:
                body = await resp.json()
            items = body["items"] if isinstance(body, dict) else body
            return next((a for a in items if a["request_id"] == request_id), None)

        assignment = await eventually(my_assignment)
        a_url = f"{stack.urls['dispatch']}/v1/assignments/{assignment['assignment_id']}"
        started = await _json(await http.post(f"{a_url}/start", headers=provider), 200)
        await eventually(lambda: request_status("in_progress"))

        # One minute of logged work: the entry may not end in the future, so wait until its minute is over.
        entry_start = datetime.fromisoformat(started["started_at"])

        async def log_minute():
            async with http.post(f"{a_url}/time-entries", headers=provider,
                                 json={"started_at": entry_start.isoformat(), "minutes": 1, "note": "triage"}) as resp:
                return resp.status in (200, 201)

        await eventually(log_minute, timeout=90, interval=2)
        await _json(await http.post(f"{a_url}/complete", headers=provider), 200)
        await eventually(lambda: request_status("completed"))

        # Billing: the requester is charged the call-out minimum at the critical rate; the lender is credited.
        async def usage():
            async with http.get(f"{stack.urls['billing']}/v1/usage", headers=billing,
                                params={"agency": requester}) as resp:
                body = await resp.json()
            return body["items"] if body["items"] else None

        lines = await eventually(usage, timeout=30)
        assert {line["assignment_id"] for line in lines} == {assignment["assignment_id"]}
        assert all(line["lending_jurisdiction_id"] == lender for line in lines)
        total = sum(line["amount_cents"] for line in lines)
        assert total >= 12_000 * 2  # at least the two-hour call-out minimum at the provider's rate
        period = lines[0]["period"]
        statement = await _json(await http.get(f"{stack.urls['billing']}/v1/statements/{requester}/{period}",
                                               headers=agency), 200)
        assert statement["totals"]["charges_cents"] == total
        lent = await _json(await http.get(f"{stack.urls['billing']}/v1/statements/{lender}/{period}",
                                          headers=stack.token("agency", lender)), 200)
        assert lent["totals"]["credits_cents"] > 0
        csv = await http.get(f"{stack.urls['billing']}/v1/statements/{requester}/{period}",
                             headers={**agency, "Accept": "text/csv"})
        assert csv.status == 200 and csv.content_type == "text/csv"

        # The timeline shows every step; another agency sees nothing of it.
        timeline = await _json(await http.get(f"{stack.urls['requests']}/v1/requests/{request_id}/timeline",
                                              headers=agency), 200)
        entries = timeline["items"] if isinstance(timeline, dict) else timeline
        kinds = {e["event_type"] for e in entries}
        assert {"taas.offer.created.v1", "taas.assignment.created.v1", "taas.assignment.completed.v1"} <= kinds
        foreign = await http.get(f"{stack.urls['requests']}/v1/requests/{request_id}",
                                 headers=stack.token("agency", outsider))
        unknown = await http.get(f"{stack.urls['requests']}/v1/requests/{uuid.uuid4()}",
                                 headers=stack.token("agency", outsider))
        assert foreign.status == unknown.status == 404
        # The dispatch log explains the decision for ops.
        log = await _json(await http.get(f"{stack.urls['dispatch']}/v1/dispatch-log", headers=ops,
                                         params={"request_id": request_id}), 200)
        steps = {r["step"] for r in (log["items"] if isinstance(log, dict) else log)}
        assert {"decision", "offer", "answer", "outcome"} <= steps
