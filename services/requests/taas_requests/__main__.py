"""`python -m taas_requests`: serve the requests service."""

import asyncio

import uvloop

from taas_kit.http.app import serve
from taas_kit.logging import configure_logging
from taas_requests.app import create_app
from taas_requests.settings import RequestsSettings


def main() -> None:
    """Configure logging, build the app, serve it until SIGINT/SIGTERM."""
    settings = RequestsSettings()
    configure_logging(settings.log_level, settings.log_json)
    uvloop.install()
    asyncio.run(serve(create_app(settings), settings.http_host, settings.http_port))


if __name__ == "__main__":
    main()
