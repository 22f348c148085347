"""The time zones of active agencies, remembered per process: a hint that the submission's statement checks."""

from aiohttp import web

# Agency id → IANA zone of agencies seen active; a stale entry only costs a submission one more pass.
ZONES = web.AppKey("agency_zones", dict)
