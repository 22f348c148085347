"""`python -m taas_billing`: configure logging, build the app, serve it."""

import asyncio

import uvloop

from taas_billing.app import create_app
from taas_billing.settings import BillingSettings
from taas_kit.http.app import serve
from taas_kit.logging import configure_logging


def main() -> None:
    """Run the billing service until SIGINT/SIGTERM."""
    settings = BillingSettings()
    configure_logging(settings.log_level, settings.log_json)
    uvloop.install()
    asyncio.run(serve(create_app(settings), settings.http_host, settings.http_port))


if __name__ == "__main__":
    main()
