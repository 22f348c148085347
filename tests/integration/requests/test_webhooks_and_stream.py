"""Webhooks (signed, retried with backoff, logged) against a local receiver, and the live SSE stream."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from taas_requests.domain.webhooks import SIGNATURE_HEADER, SignatureCheck, check_signature

pytestmark = pytest.mark.integration


class Receiver:
    """A local webhook receiver that fails the first `failures` calls, then answers 200."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, []

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((dict(request.headers), await request.read(), datetime.now(UTC)))
        if len(self.calls) <= self.failures:
            return web.Response(status=503)
        return web.Response(status=204)


@pytest.fixture
async def receiver_factory():
    servers = []

    async def make(failures: int) -> tuple[Receiver, str]:
        receiver = Receiver(failures)
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return receiver, str(server.make_url("/hook"))
    yield make
    for server in servers:
        await server.close()


async def test_deliveries_are_signed_retried_with_backoff_and_logged(svc, incident_body, receiver_factory, poll):
    receiver, url = await receiver_factory(failures=2)
    _, headers = await svc.new_agency()
    created = await svc.client.post("/v1/webhooks", json={"url": url, "events": ["request.submitted"]},
                                    headers=headers)
    assert created.status == 201
    hook = await created.json()
    secret = hook["secret"]
    assert secret and "secret" not in {k for k, v in (await (await svc.client.get(
        f"/v1/webhooks/{hook['id']}", headers=headers)).json()).items() if v}
    rid = (await (await svc.submit(headers, incident_body())).json())["id"]

    async def delivered():
        log = await (await svc.client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=headers)).json()
        return log if log and log[0]["status"] == "delivered" else None
    (delivery,) = await poll(delivered)
    assert delivery["attempts"] == 3 and [a["status_code"] for a in delivery["attempt_log"]] == [503, 503, 204]
    times = [datetime.fromisoformat(a["at"]) for a in delivery["attempt_log"]]
    assert times[1] - times[0] < times[2] - times[1] or times[2] > times[1]  # waits grow (base 50 ms, doubling)
    assert len(receiver.calls) == 3
    for attempt, (req_headers, body, at) in enumerate(receiver.calls, start=1):
        assert check_signature(secret, req_headers[SIGNATURE_HEADER], body, at) is SignatureCheck.VALID
        assert check_signature("wrong", req_headers[SIGNATURE_HEADER], body, at) is SignatureCheck.MISMATCH
        assert req_headers["Taas-Delivery-Attempt"] == str(attempt)
        payload = json.loads(body)
        assert payload["type"] == "request.submitted" and payload["data"]["id"] == rid
        assert payload["id"] == req_headers["Taas-Event-Id"] == delivery["event_id"]
    assert delivery["body"].encode() == receiver.calls[0][1]


async def test_a_receiver_that_never_answers_2xx_is_given_up_after_the_last_attempt(
        svc, incident_body, receiver_factory, poll):
    receiver, url = await receiver_factory(failures=10_000)
    _, headers = await svc.new_agency()
    hook = await (await svc.client.post("/v1/webhooks", json={"url": url}, headers=headers)).json()
    await svc.submit(headers, incident_body())

    async def failed():
        log = await (await svc.client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=headers)).json()
        return log if log and log[0]["status"] == "failed" else None
    (delivery,) = await poll(failed)
    assert delivery["attempts"] == svc.settings.webhook_max_attempts == len(receiver.calls)
    assert delivery["next_attempt_at"] is None and delivery["last_status_code"] == 503


async def test_only_http_urls_are_accepted(svc):
    _, headers = await svc.new_agency()
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "not a url"):
        resp = await svc.client.post("/v1/webhooks", json={"url": url}, headers=headers)
        assert resp.status == 422, url
        assert [e["field"] for e in (await resp.json())["errors"]] == ["url"]
    assert await svc.count("SELECT count(*) FROM webhooks") == 0


async def test_deleted_webhook_gets_nothing_more(svc, incident_body, receiver_factory, poll):
    receiver, url = await receiver_factory(failures=0)
    _, headers = await svc.new_agency()
    hook = await (await svc.client.post("/v1/webhooks", json={"url": url}, headers=headers)).json()
    assert (await svc.client.delete(f"/v1/webhooks/{hook['id']}", headers=headers)).status == 204
    await svc.submit(headers, incident_body())
    assert await svc.count("SELECT count(*) FROM webhook_deliveries") == 0
    assert (await svc.client.get(f"/v1/webhooks/{hook['id']}", headers=headers)).status == 404


async def _read_events(resp, n: int, timeout: float = 15.0) -> list[dict]:
    events, current = [], {}
    async def read():
        async for raw in resp.content:
            line = raw.decode().rstrip("\n")
            if not line:
                if "data" in current:
                    events.append({**current, "data": json.loads(current["data"])})
                    if len(events) >= n:
                        return
                current.clear()
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                current[key] = value
    await asyncio.wait_for(read(), timeout)
    return events


async def test_stream_shows_an_agency_its_own_changes_and_ops_all(svc, incident_body):
    _, mine = await svc.new_agency()
    _, theirs = await svc.new_agency()
    agency_stream = await svc.client.get("/v1/requests/stream", headers=mine)
    ops_stream = await svc.client.get("/v1/requests/stream", headers=svc.ops)
    assert agency_stream.status == 200 and agency_stream.content_type == "text/event-stream"
    try:
        other = (await (await svc.submit(theirs, incident_body())).json())["id"]
        rid = (await (await svc.submit(mine, incident_body())).json())["id"]
        await svc.client.post(f"/v1/requests/{rid}/cancel", json={"reason": "done"}, headers=mine)
        events = await _read_events(agency_stream, 2)
        assert [(e["event"], e["data"]["data"]["request_id"], e["data"]["data"]["status"]) for e in events] == [
            ("request.submitted", rid, "submitted"), ("request.status_changed", rid, "cancelled")]
        ops_events = await _read_events(ops_stream, 3)
        assert {e["data"]["data"]["request_id"] for e in ops_events} == {rid, other}
    finally:
        agency_stream.close()
        ops_stream.close()
