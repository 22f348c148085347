"""The billing app factory: the kit's service app plus the dispatch/agency consumer."""

from pathlib import Path

from aiohttp import web

from taas_billing.api.routes import api
from taas_billing.consumers import run_consumer
from taas_billing.settings import BillingSettings
from taas_kit.http.app import background, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: BillingSettings) -> web.Application:
    """Build the billing service's aiohttp application."""
    return create_service_app(settings, api, migrations_dir=MIGRATIONS,
                              contexts=[background("billing-consumer", run_consumer)])
