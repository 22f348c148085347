"""Schemathesis against /openapi.json of the running service (a real process): no server error anywhere."""

import asyncio
import os
import subprocess
import uuid

import aiohttp
import pytest
from hypothesis import HealthCheck, Phase, given, settings

import schemathesis
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)
from taas_kit import auth
from taas_kit.testing import free_port, spawn_service, wait_ready
from taas_requests.app import MIGRATIONS
from taas_requests.settings import RequestsSettings

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 20
# The stream never ends by design; it is covered by its own test.
SKIPPED = {("GET", "/v1/requests/stream")}
# No 5xx, and every answer is documented: its status code, its content type and its body's schema.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
async def running_service(pg_dsn, kafka_bootstrap, topic_prefix, migrated_schema):
    """`python -m taas_requests` on a free port and a fresh schema; yields its base URL."""
    schema = await migrated_schema("requests", MIGRATIONS)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": pg_dsn, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "TAAS_TOPIC_PREFIX": topic_prefix, "TAAS_REQUESTS_DB_SCHEMA": schema, "TAAS_REQUESTS_HTTP_PORT": str(port),
           "TAAS_REQUESTS_CONSUMER_GROUP": f"g-{uuid.uuid4().hex[:10]}", "TAAS_REQUESTS_LOG_LEVEL": "WARNING",
           "TAAS_REQUESTS_WEBHOOK_TIMEOUT_SECONDS": "1"}
    proc = spawn_service("taas_requests", env, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            await wait_ready(base, proc, timeout=30)
        except RuntimeError as error:
            raise AssertionError(f"{error}: {proc.stderr.read1().decode()[-2000:]}") from error
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def _fuzz(base: str, ops_token: str, agency_token: str) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        roles = operation.definition.raw.get("description", "")
        token = agency_token if "agency" in roles else ops_token

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            if "Idempotency-Key" in (case.headers or {}):
                case.headers["Idempotency-Key"] = uuid.uuid4().hex
            case.call_and_validate(base_url=base, headers={"Authorization": f"Bearer {token}"},
                                   checks=CHECKS, timeout=10)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    return failures


async def test_schemathesis_finds_no_server_error(running_service):
    secret = RequestsSettings().auth_secret
    ops = auth.issue(secret, "ops")
    agency_id = f"fuzz-{uuid.uuid4().hex[:8]}"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {ops}"}) as http:
        async with http.post(f"{running_service}/v1/agencies", json={
                "id": agency_id, "name": "Fuzz County", "state": "MN", "jurisdiction": "Fuzz", "population": 1000,
                "time_zone": "America/Chicago"}) as resp:
            assert resp.status == 201
    failures = await asyncio.to_thread(_fuzz, running_service, ops, auth.issue(secret, "agency", tenant=agency_id))
    assert not failures, "\n\n".join(failures)
