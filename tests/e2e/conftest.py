"""End-to-end fixtures: every service as its own process, on a unique topic prefix and unique schemas."""

import asyncio
import os
import subprocess
from dataclasses import dataclass, field

import asyncpg
import pytest

from taas_cli.services import existing
from taas_kit import auth, migrations
from taas_kit.kafka import delete_topics_with_prefix, ensure_topics
from taas_kit.testing import eventually as kit_eventually, free_port, spawn_service, wait_ready

SECRET = "e2e-secret"


@dataclass
class Stack:
    """The running services: their base URLs and a way to mint tokens."""

    urls: dict[str, str]
    prefix: str
    bootstrap: str
    schemas: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def token(self, role: str, tenant: str | None = None) -> dict[str, str]:
        """Authorization header for a role (and tenant)."""
        return {"Authorization": f"Bearer {auth.issue(SECRET, role, tenant)}"}

    def topic(self, name: str) -> str:
        """A registry topic's name in this stack."""
        return self.prefix + name


@pytest.fixture(scope="session")
async def stack(pg_dsn: str, kafka_bootstrap: str):
    """Start every existing service (migrated into fresh schemas) and wait until each is ready."""
    import uuid

    run = uuid.uuid4().hex[:8]
    prefix = f"e2e{run}."
    await ensure_topics(kafka_bootstrap, prefix=prefix)
    specs = existing()
    schemas, urls, procs = {}, {}, {}
    conn = await asyncpg.connect(pg_dsn)
    try:
        for spec in specs:
            schemas[spec.name] = f"e2e_{run}_{spec.name}"
            await migrations.apply(conn, schemas[spec.name], migrations.discover(spec.name, spec.migrations_dir()),
                                   say=lambda *_: None)
    finally:
        await conn.close()
    log_dir = os.path.join(os.environ.get("TAAS_STATE_DIR", ".taas"), "logs")
    os.makedirs(log_dir, exist_ok=True)
    for spec in specs:
        port = free_port()
        urls[spec.name] = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": pg_dsn, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
               "TAAS_TOPIC_PREFIX": prefix, "TAAS_AUTH_SECRET": SECRET, "PYTHONUNBUFFERED": "1",
               f"{spec.env_prefix}HTTP_PORT": str(port), f"{spec.env_prefix}DB_SCHEMA": schemas[spec.name],
               f"{spec.env_prefix}CONSUMER_GROUP": f"e2e-{run}-{spec.name}", f"{spec.env_prefix}LOG_JSON": "true"}
        with open(os.path.join(log_dir, f"e2e-{spec.name}.log"), "ab") as log:
            procs[spec.name] = spawn_service(spec.module, env, stdout=log, stderr=subprocess.STDOUT)
    stack = Stack(urls, prefix, kafka_bootstrap, schemas, procs)
    try:
        await _wait_ready(stack)
        yield stack
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        await delete_topics_with_prefix(kafka_bootstrap, prefix)
        conn = await asyncpg.connect(pg_dsn)
        try:
            for schema in schemas.values():
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


async def _wait_ready(stack: Stack) -> None:
    async def one(name: str, url: str) -> None:
        try:
            await wait_ready(url, stack.procs[name])
        except RuntimeError as error:
            raise RuntimeError(f"{name}: {error} (see .taas/logs/e2e-{name}.log)") from error

    await asyncio.gather(*(one(name, url) for name, url in stack.urls.items()))


@pytest.fixture
def eventually():
    """The poll-with-deadline helper."""
    return kit_eventually
