"""The dispatch app factory: the kit's service app plus the consumer, the timer loop and the log feed."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from taas_dispatch.api.routes import api
from taas_dispatch.config import load_config
from taas_dispatch.consumers import run_consumer
from taas_dispatch.effects import log_channel
from taas_dispatch.handlers.context import Deps
from taas_dispatch.keys import DEPS, FEED
from taas_dispatch.logfeed import LogFeed
from taas_dispatch.settings import DispatchSettings
from taas_dispatch.timer_loop import run_timers
from taas_kit.http.app import background, create_service_app, restarting

MIGRATIONS = Path(__file__).parent / "migrations"


def _feed_ctx(settings: DispatchSettings):
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        feed = LogFeed(settings.database_url, settings.db_schema, log_channel(settings.db_schema))
        app[FEED] = feed
        task = asyncio.create_task(background_feed(feed), name="dispatch-log-feed")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return ctx


async def background_feed(feed: LogFeed) -> None:
    """Follow the log, reconnecting after a failure (the live stream must come back after a database hiccup)."""
    await restarting("dispatch-log-feed", feed.run)


def create_app(settings: DispatchSettings) -> web.Application:
    """Build the dispatch service's aiohttp application (the configuration is checked here, at start-up)."""
    deps = Deps(settings, load_config(settings))
    app = create_service_app(settings, api, migrations_dir=MIGRATIONS, contexts=[
        _feed_ctx(settings),
        background("dispatch-consumer", run_consumer),
        background("dispatch-timers", run_timers),
    ])
    app[DEPS] = deps
    return app
