"""The service app factory against the real database and broker: health, errors, auth, revocation, OpenAPI."""

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel, ConfigDict, Field

from taas_contracts.topics import AUTH_REVOCATIONS
from taas_kit import auth
from taas_kit.http import middlewares, sse
from taas_kit.http.app import create_service_app
from taas_kit.http.problems import not_found
from taas_kit.http.routing import Api, Call
from taas_kit.revocations import publish_revocation
from taas_kit.settings import ServiceSettings
from taas_kit.testing import eventually, free_port

pytestmark = pytest.mark.integration


class ThingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=50, description="Name.")
    size: int = Field(ge=1, description="Size.")


class ThingRead(BaseModel):
    id: str = Field(description="Id.")
    name: str = Field(description="Name.")
    owner: str = Field(description="Owning agency.")


api = Api("taas test")


@api.route("POST", "/v1/things", summary="Create a thing", roles={auth.ApiRole.AGENCY}, body=ThingCreate,
           response=ThingRead, status=201)
async def create_thing(call: Call) -> ThingRead:
    return ThingRead(id="t1", name=call.body.name, owner=call.principal.tenant)


@api.route("GET", "/v1/things/{id}", summary="Read a thing", roles={auth.ApiRole.AGENCY, auth.ApiRole.OPS},
           response=ThingRead)
async def read_thing(call: Call) -> ThingRead:
    if call.path["id"] != "t1" or not call.principal.owns("agency-a"):
        raise not_found("thing")
    return ThingRead(id="t1", name="x", owner="agency-a")


STREAM_ENDED: list[str] = []


@api.route("GET", "/v1/things/stream", summary="Live things", roles={auth.ApiRole.OPS})
async def stream_things(call: Call):
    async def next_frame() -> bytes:
        await asyncio.sleep(0.01)
        return sse.frame(1, "thing", {"name": "x" * 4096})

    try:
        return await sse.serve(call.request, next_frame, keepalive_seconds=1.0)
    finally:
        STREAM_ENDED.append(call.principal.subject)


@pytest.fixture
async def client(pg_dsn, schema, kafka_bootstrap, topic_prefix):
    settings = ServiceSettings(database_url=pg_dsn, db_schema=schema, kafka_bootstrap_servers=kafka_bootstrap,
                               topic_prefix=topic_prefix, max_body_bytes=1024)
    app = create_service_app(settings, api, migrations_dir=Path("/nonexistent"))
    async with TestClient(TestServer(app)) as c:
        c.settings = settings
        yield c


def _bearer(settings, role="agency", tenant="agency-a", **kw) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.issue(settings.auth_secret, role, tenant, **kw)}"}


async def test_health_readiness_metrics_openapi(client):
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["checks"] == {"database": "ok", "kafka": "ok"}
    spec = await (await client.get("/openapi.json")).json()
    op = spec["paths"]["/v1/things"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ThingCreate"}
    assert "422" in op["responses"] and "ThingRead" in spec["components"]["schemas"]
    assert "taas_http_request_seconds" in await (await client.get("/metrics")).text()


async def test_request_id_is_echoed(client):
    resp = await client.get("/healthz", headers={"X-Request-Id": "abc123"})
    assert resp.headers["X-Request-Id"] == "abc123"
    assert (await client.get("/healthz")).headers["X-Request-Id"]


@pytest.mark.parametrize("headers, code", [
    ({}, "unauthorized"),
    ({"Authorization": "Bearer nope"}, "unauthorized"),
    ({"Authorization": "Basic abc"}, "unauthorized"),
])
async def test_missing_or_bad_token_is_401_problem(client, headers, code):
    resp = await client.post("/v1/things", json={"name": "a", "size": 1}, headers=headers)
    assert resp.status == 401
    assert resp.content_type == "application/problem+json"
    assert (await resp.json())["code"] == code


async def test_expired_token_and_wrong_role(client):
    expired = _bearer(client.settings, ttl_seconds=10, now=time.time() - 60)
    assert (await client.post("/v1/things", json={"name": "a", "size": 1}, headers=expired)).status == 401
    ops = _bearer(client.settings, role="ops", tenant=None)
    resp = await client.post("/v1/things", json={"name": "a", "size": 1}, headers=ops)
    assert resp.status == 403
    assert (await resp.json())["code"] == "forbidden"


async def test_bad_bodies_get_field_level_problems(client):
    h = _bearer(client.settings)
    malformed = await client.post("/v1/things", data=b"{oops", headers={**h, "Content-Type": "application/json"})
    assert malformed.status == 400 and (await malformed.json())["code"] == "malformed_json"
    empty = await client.post("/v1/things", headers=h)
    assert empty.status == 422 and {e["field"] for e in (await empty.json())["errors"]} == {"name", "size"}
    invalid = await client.post("/v1/things", json={"name": "", "size": 0, "colour": "red"}, headers=h)
    body = await invalid.json()
    assert invalid.status == 422
    assert {e["field"] for e in body["errors"]} == {"name", "size", "colour"}
    assert {e["pointer"] for e in body["errors"]} == {"/name", "/size", "/colour"}
    too_big = await client.post("/v1/things", json={"name": "a" * 2000, "size": 1}, headers=h)
    assert too_big.status == 413 and too_big.content_type == "application/problem+json"
    ok = await client.post("/v1/things", json={"name": "a", "size": 1}, headers=h)
    assert ok.status == 201 and (await ok.json())["owner"] == "agency-a"


async def test_unknown_and_foreign_ids_answer_alike(client):
    unknown = await client.get("/v1/things/zzz", headers=_bearer(client.settings))
    foreign = await client.get("/v1/things/t1", headers=_bearer(client.settings, tenant="agency-b"))
    assert unknown.status == foreign.status == 404
    assert await unknown.json() | {"instance": None} == await foreign.json() | {"instance": None}
    assert (await client.get("/v1/nowhere")).content_type == "application/problem+json"


async def test_revoked_token_is_refused_by_the_service_within_seconds(client):
    token = auth.issue(client.settings.auth_secret, "agency", "agency-a")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/v1/things/t1", headers=headers)).status == 200
    claims = auth.claims_of(token)
    await publish_revocation(client.settings.kafka_bootstrap_servers, claims["jti"], claims["exp"],
                             topic=client.settings.topic(AUTH_REVOCATIONS))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    status = 200
    while loop.time() < deadline and status == 200:
        status = (await client.get("/v1/things/t1", headers=headers)).status
        await asyncio.sleep(0.1)
    assert status == 401


async def test_a_stream_client_that_leaves_ends_the_stream_quietly(pg_dsn, schema, kafka_bootstrap, topic_prefix,
                                                                  monkeypatch):
    errors: list[str] = []

    class Recorder:
        def __getattr__(self, level):
            return lambda event, **kw: errors.append(f"{level}: {event}") if level in ("error", "exception") else None

    monkeypatch.setattr(middlewares, "log", Recorder())
    settings = ServiceSettings(database_url=pg_dsn, db_schema=schema, kafka_bootstrap_servers=kafka_bootstrap,
                               topic_prefix=topic_prefix)
    # Served as in production (aiohttp's test server cancels handlers on disconnect, which hides the fault).
    runner = web.AppRunner(create_service_app(settings, api, migrations_dir=Path("/nonexistent")))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    token = auth.issue(settings.auth_secret, "ops", subject="leaver", ttl_seconds=60)
    try:
        async with aiohttp.ClientSession() as http:
            resp = await http.get(f"http://127.0.0.1:{port}/v1/things/stream",
                                  headers={"Authorization": f"Bearer {token}"})
            assert resp.status == 200 and resp.content_type == "text/event-stream"
            assert (await resp.content.readline()).startswith(b"retry: ")
            resp.close()  # the tab is closed while the server keeps writing
        async def ended() -> bool:
            return "leaver" in STREAM_ENDED
        await eventually(ended, 10, what="the stream's end")
        assert errors == []
    finally:
        await runner.cleanup()
