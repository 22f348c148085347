"""Typed app keys of the dispatch app."""

from aiohttp import web

from taas_dispatch.handlers.context import Deps
from taas_dispatch.logfeed import LogFeed

DEPS = web.AppKey("dispatch_deps", Deps)
FEED = web.AppKey("dispatch_log_feed", LogFeed)
