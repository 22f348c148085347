"""Typed app keys every service app carries."""

import asyncpg
from aiohttp import web

from taas_kit.revocations import RevocationWatcher
from taas_kit.settings import ServiceSettings

SETTINGS = web.AppKey("settings", ServiceSettings)
REVOKED = web.AppKey("revoked", RevocationWatcher)
READY_CHECKS = web.AppKey("ready_checks", dict)
POOL = web.AppKey("pool", asyncpg.Pool)
