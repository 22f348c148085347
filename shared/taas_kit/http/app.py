"""The service app factory: health, readiness, metrics, OpenAPI, errors, auth and the common resources."""

import asyncio
import contextlib
import gc
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiokafka.client import AIOKafkaClient
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from taas_contracts.topics import AUTH_REVOCATIONS
from taas_kit import db, migrations
from taas_kit.backoff import Backoff
from taas_kit.kafka import ensure_topics
from taas_kit.http.keys import POOL, READY_CHECKS, REVOKED, SETTINGS
from taas_kit.http.middlewares import problem_errors, request_context
from taas_kit.http.openapi import build_openapi
from taas_kit.http.routing import Api, json_response
from taas_kit.logging import get_logger
from taas_kit.outbox import OutboxRelay
from taas_kit.revocations import RevocationWatcher
from taas_kit.settings import ServiceSettings

log = get_logger("taas.app")

CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


def create_service_app(settings: ServiceSettings, api: Api, *, migrations_dir: Path,
                       contexts: list[CleanupCtx] = ()) -> web.Application:
    """Build a service's aiohttp app: common resources first, then the service's own contexts."""
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[request_context, problem_errors])
    app[SETTINGS] = settings
    app[READY_CHECKS] = {}
    spec = build_openapi(api)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    async def openapi(_: web.Request) -> web.Response:
        return json_response(spec)

    app.router.add_get("/openapi.json", openapi)
    api.install(app)
    app.cleanup_ctx.append(_pool_ctx(settings, migrations_dir))
    app.cleanup_ctx.append(_kafka_probe_ctx)
    app.cleanup_ctx.append(_revocations_ctx)
    app.cleanup_ctx.append(_outbox_ctx)
    app.cleanup_ctx.extend(contexts)
    return app


def background(name: str, make: Callable[[web.Application], Awaitable[None]]) -> CleanupCtx:
    """A cleanup context running `make(app)` as a task, restarted after a crash, cancelled at shutdown."""
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(restarting(name, lambda: make(app)), name=name)
        yield
        await stop_task(task, name)
    return ctx


async def restarting(name: str, run: Callable[[], Awaitable[None]], backoff: Backoff | None = None,
                     healthy_after: float = 60.0) -> None:
    """Await `run()` until it returns, restarting it after each crash with a growing pause.

    A crash is logged with its traceback once per streak (a lost database would otherwise log one per restart);
    a run that lasted `healthy_after` seconds ends the streak.
    """
    backoff = backoff or Backoff(first=0.5, cap=5.0)
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a crashed loop restarts instead of silently dying
            if loop.time() - started >= healthy_after:
                backoff.succeeded()
            if backoff.failures == 0:
                log.exception("background task crashed; restarting", task=name)
            await backoff.failed()


async def stop_task(task: asyncio.Task, name: str, seconds: float = 30.0) -> None:
    """Cancel a process-lifetime task and wait for it, at most `seconds` (then log and move on)."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        log.error("task did not stop in time; leaving it", task=name, seconds=seconds)
        return
    if not task.cancelled() and task.exception() is not None:
        log.warning("task ended with an error", task=name, error=repr(task.exception()))


def _pool_ctx(settings: ServiceSettings, migrations_dir: Path) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        pool = await db.create_pool(settings.database_url, settings.db_schema, min_size=settings.db_pool_min,
                                    max_size=settings.db_pool_max, name=settings.service_name)
        try:
            await migrations.check(pool, migrations.discover(settings.service_name, migrations_dir))
        except BaseException:
            await pool.close()
            raise
        app[POOL] = pool
        app[READY_CHECKS]["database"] = lambda: pool.fetchval("SELECT 1")
        yield
        await pool.close()
    return ctx


async def _revocations_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    watcher = RevocationWatcher(settings.kafka_bootstrap_servers, settings.topic(AUTH_REVOCATIONS))
    app[REVOKED] = watcher
    # Restarted like any background task: a watcher that died would let revoked tokens in until the next restart.
    task = asyncio.create_task(restarting("revocations", watcher.run), name="revocations")
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(watcher.caught_up.wait()), 15)
    yield
    await stop_task(task, "revocations")


async def _kafka_probe_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    await ensure_topics(settings.kafka_bootstrap_servers, prefix=settings.topic_prefix)
    client = AIOKafkaClient(bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=3000)
    try:
        await client.bootstrap()
        app[READY_CHECKS]["kafka"] = client.fetch_all_metadata
        yield
    finally:
        await client.close()


async def _outbox_ctx(app: web.Application) -> AsyncIterator[None]:
    s = app[SETTINGS]
    relay = OutboxRelay(dsn=s.database_url, schema=s.db_schema, bootstrap_servers=s.kafka_bootstrap_servers,
                        service=s.service_name, poll_seconds=s.outbox_poll_seconds)
    task = asyncio.create_task(relay.run(), name="outbox-relay")
    yield
    await stop_task(task, "outbox-relay")


async def _healthz(_: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    results, ok = {}, True
    for name, check in request.app[READY_CHECKS].items():
        try:
            await asyncio.wait_for(check(), 2.0)
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure is "not ready", reported by name
            results[name], ok = f"failed: {type(exc).__name__}", False
    return json_response({"status": "ready" if ok else "not ready", "checks": results}, 200 if ok else 503)


async def _metrics(_: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def serve(app: web.Application, host: str, port: int) -> None:
    """Run an app until SIGINT/SIGTERM (used by each service's __main__), then shut down every resource."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    # Everything made so far (modules, config, pools) lives as long as the process: moved out of the collector's
    # view, a full collection walks only newer objects (one took 40-50 ms in dispatch, a whole latency budget).
    gc.freeze()
    log.info("service listening", host=host, port=port)
    try:
        await stop.wait()
        log.info("service stopping")
    finally:
        await runner.cleanup()


def run_service(settings: ServiceSettings, create_app: Callable[[ServiceSettings], web.Application]) -> None:
    """The body of every service's `__main__`: logging, uvloop, the app, served until SIGINT/SIGTERM."""
    import uvloop

    from taas_kit.logging import configure_logging

    configure_logging(settings.log_level, settings.log_json)
    uvloop.install()
    asyncio.run(serve(create_app(settings), settings.http_host, settings.http_port))
