"""The requests service's app factory."""

from pathlib import Path

from aiohttp import web

from taas_kit.http.app import background, create_service_app
# Importing registers the routes; the stream goes first so /v1/requests/stream is not read as /v1/requests/{id}.
from taas_requests.api import stream  # noqa: F401, I001
from taas_requests.api import agencies, coverage, webhooks  # noqa: F401
from taas_requests.api.base import api
from taas_requests.consumers import run_dispatch_consumer
from taas_requests.hub import HUB, ChangeHub, listen
from taas_requests.settings import RequestsSettings
from taas_requests.webhook_sender import run_sender
from taas_requests.zones import ZONES

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RequestsSettings) -> web.Application:
    """The app: kit resources, then the change listener, the dispatch consumer and the webhook sender."""
    app = create_service_app(settings, api, migrations_dir=MIGRATIONS, contexts=[
        background("change-listener", listen),
        background("dispatch-events-consumer", run_dispatch_consumer),
        background("webhook-sender", run_sender),
    ])
    app[HUB] = ChangeHub()
    app[ZONES] = {}

    async def end_streams(app: web.Application) -> None:
        app[HUB].close()

    app.on_shutdown.append(end_streams)
    return app
