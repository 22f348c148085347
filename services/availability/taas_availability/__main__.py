"""`python -m taas_availability`: serve the availability service."""

import asyncio

import uvloop

from taas_availability.app import create_app
from taas_availability.settings import AvailabilitySettings
from taas_kit.http.app import serve
from taas_kit.logging import configure_logging


def main() -> None:
    """Configure logging, build the app, serve it until SIGINT/SIGTERM."""
    settings = AvailabilitySettings()
    configure_logging(settings.log_level, settings.log_json)
    uvloop.install()
    asyncio.run(serve(create_app(settings), settings.http_host, settings.http_port))


if __name__ == "__main__":
    main()
