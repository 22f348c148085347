"""`python -m taas_dispatch`: configure logging, build the app, serve it."""

import asyncio

import uvloop

from taas_dispatch.app import create_app
from taas_dispatch.settings import DispatchSettings
from taas_kit.http.app import serve
from taas_kit.logging import configure_logging


def main() -> None:
    """Run the dispatch service until SIGINT/SIGTERM."""
    settings = DispatchSettings()
    configure_logging(settings.log_level, settings.log_json)
    uvloop.install()
    asyncio.run(serve(create_app(settings), settings.http_host, settings.http_port))


if __name__ == "__main__":
    main()
