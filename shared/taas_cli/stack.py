"""`taas up`, `taas down`, `taas status`: the whole local system in the background."""

import asyncio
import os
import re
import sys
import time
import urllib.request

from taas_cli import infra as infra_mod
from taas_cli.migrate import migrate_all
from taas_cli.services import SERVICES, ServiceSpec, existing
from taas_deploy import kafka, postgres, procs
from taas_deploy.errors import InfraError
from taas_deploy.paths import logs_dir
from taas_kit.kafka import ensure_topics


# Every part's name in one column: the longest, "availability", sets the width.
LABEL_WIDTH = max(12, *(len(s.name) for s in SERVICES))
STATE_WIDTH = len("running, NOT READY")
_LABELLED = re.compile(r"^  ([a-z][a-z_-]*) +(\S.*)$")


def aligned(say):
    """`say`, with each "  <part> <text>" line's part padded to one column (kafka, postgres, services, demo...)."""
    def say_aligned(line: str = "") -> None:
        found = _LABELLED.match(line)
        say(f"  {found[1]:<{LABEL_WIDTH}} {found[2]}" if found else line)
    return say_aligned


def _url(spec: ServiceSpec, path: str) -> str:
    host = os.environ.get(f"{spec.env_prefix}HTTP_HOST", "127.0.0.1")
    port = os.environ.get(f"{spec.env_prefix}HTTP_PORT", str(spec.port))
    return f"http://{host}:{port}{path}"


def probe(spec: ServiceSpec, path: str = "/readyz", timeout: float = 1.0) -> bool:
    """True if the service answers 200 on path."""
    try:
        with urllib.request.urlopen(_url(spec, path), timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def service_env(spec: ServiceSpec, infra: infra_mod.Infra) -> dict[str, str]:
    """The environment a service process is started with."""
    return {
        "DATABASE_URL": infra.service_dsn(spec.name),
        "KAFKA_BOOTSTRAP_SERVERS": infra.bootstrap,
        f"{spec.env_prefix}HTTP_PORT": os.environ.get(f"{spec.env_prefix}HTTP_PORT", str(spec.port)),
        "PYTHONUNBUFFERED": "1",
    }


def start_services(infra: infra_mod.Infra, say=print, timeout: float = 60.0) -> None:
    """Start every existing service that is not running, then wait until each is ready."""
    specs = existing()
    for spec in specs:
        if procs.read_pid(spec.name) is not None:
            say(f"  {spec.name:<10} already running")
            continue
        procs.ensure_port_free("127.0.0.1", spec.port, f"the {spec.name} service")
        procs.start(spec.name, [sys.executable, "-m", spec.module], env=service_env(spec, infra))
        say(f"  {spec.name:<10} starting on :{spec.port} ...")
    deadline = time.monotonic() + timeout
    waiting = list(specs)
    while waiting and time.monotonic() < deadline:
        for spec in list(waiting):
            if procs.read_pid(spec.name) is None:
                raise InfraError(f"{spec.name} exited during start-up; see {logs_dir() / spec.name}.log: "
                                 f"{procs.tail(spec.name, 2)}")
            if probe(spec):
                say(f"  {spec.name:<10} ready on {_url(spec, '')}")
                waiting.remove(spec)
        time.sleep(0.3)
    if waiting:
        raise InfraError(f"not ready within {timeout:.0f}s: {', '.join(s.name for s in waiting)}; see {logs_dir()}")


def started_at(raw: str | None, now: float | None = None) -> float:
    """When this command started, from TAAS_STARTED_AT's text (the ./taas wrapper sets it before any install).

    A value that is missing, not a number, in the future or over a day old is ignored and now is used.
    """
    now = time.time() if now is None else now
    try:
        value = float(raw or "")
    except ValueError:
        return now
    return value if now - 86400 < value <= now else now


def up(services: bool = True, demo: bool = False, say=print, started: float | None = None) -> infra_mod.Infra:
    """Bring up Kafka, PostgreSQL, topics, migrations and every service; returns the addresses.

    `started` (a time.time() value) is when the command began, so the figure printed includes the wrapper's install.
    """
    started = time.time() if started is None else started
    say = aligned(say)
    say("taas up")
    infra = infra_mod.ensure(say)
    created = asyncio.run(ensure_topics(infra.bootstrap))
    say(f"  topics     {len(created)} created" if created else "  topics     all present")
    migrate_all(infra, say)
    if services:
        start_services(infra, say)
    if demo:
        from taas_cli.demo import seed

        seed(say)
    say(f"up in {time.time() - started:.1f}s (from the ./taas command, install included)")
    return infra


def down(say=print) -> None:
    """Stop the services, then Kafka and PostgreSQL (only what we started)."""
    say = aligned(say)
    say("taas down")
    for spec in reversed(SERVICES):
        if procs.stop(spec.name, timeout=20):
            say(f"  {spec.name:<10} stopped")
    kafka.down(say)
    postgres.down(say)
    say("down")


def status(say=print) -> bool:
    """Print what runs and whether it is healthy; True if everything that exists is healthy."""
    infra = infra_mod.current()
    row = "  {:<%d} {:<%d} {}" % (LABEL_WIDTH, STATE_WIDTH)
    healthy = asyncio.run(kafka.is_healthy(infra.bootstrap, timeout=2))
    all_ok = healthy
    say(row.format("kafka", "healthy" if healthy else "DOWN", infra.bootstrap))
    pg_ok = _pg_ok(infra.admin_dsn)
    all_ok &= pg_ok
    say(row.format("postgres", "healthy" if pg_ok else "DOWN", infra.admin_dsn.rsplit("@", 1)[-1]))
    for spec in existing():
        pid = procs.read_pid(spec.name)
        ready = probe(spec)
        all_ok &= ready
        state = "ready" if ready else ("running, NOT READY" if pid else "DOWN")
        say(row.format(spec.name, state, _url(spec, "")) + (f"  pid {pid}" if pid else ""))
    return all_ok


def _pg_ok(dsn: str) -> bool:
    import asyncpg

    async def check() -> bool:
        try:
            conn = await asyncio.wait_for(asyncpg.connect(dsn), 3)
        except Exception:  # noqa: BLE001 - any failure is "down"
            return False
        await conn.close()
        return True

    return asyncio.run(check())
