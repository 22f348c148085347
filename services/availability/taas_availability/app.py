"""The availability service's app factory."""

from pathlib import Path

import asyncio

from aiohttp import web

# Importing registers the routes.
from taas_availability.api import credentials, providers, schedule  # noqa: F401
from taas_availability.api.base import api
from taas_availability.consumers import ASSIGNMENTS_READY, run_assignments_consumer
from taas_availability.loops import run_credential_check, run_horizon_refresh
from taas_availability.settings import AvailabilitySettings
from taas_kit.http.app import background, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: AvailabilitySettings) -> web.Application:
    """The app: kit resources, then the assignments consumer and the periodic refresh and credential check."""
    app = create_service_app(settings, api, migrations_dir=MIGRATIONS, contexts=[
        background("assignments-consumer", run_assignments_consumer),
        background("horizon-refresh", run_horizon_refresh),
        background("credential-check", run_credential_check),
    ])
    app[ASSIGNMENTS_READY] = asyncio.Event()
    return app
