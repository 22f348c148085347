"""The dispatch app factory: the kit's service app plus the consumer, the timer loop and the log feed."""

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
from taas_kit.http.app import background, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


async def run_feed(app: web.Application) -> None:
    """Follow the dispatch log for the live stream (restarted after a database hiccup like any background task)."""
    await app[FEED].run()


def create_app(settings: DispatchSettings) -> web.Application:
    """Build the dispatch service's aiohttp application (the configuration is checked here, at start-up)."""
    deps = Deps(settings, load_config(settings))
    app = create_service_app(settings, api, migrations_dir=MIGRATIONS, contexts=[
        background("dispatch-log-feed", run_feed),
        background("dispatch-consumer", run_consumer),
        background("dispatch-timers", run_timers),
    ])
    app[DEPS] = deps
    app[FEED] = LogFeed(settings.database_url, settings.db_schema, log_channel(settings.db_schema))
    return app
