"""Routes of a provider's time: weekly schedule, dated exceptions, status and on-call, load."""

from datetime import UTC, datetime

from aiohttp import web

from taas_availability.api.base import route
from taas_availability.api.providers import OPS_OR_PROVIDER, provider_id
from taas_availability.api.read_models import ExceptionRead, LoadRead, ProviderRead
from taas_availability.api.schedule_models import ExceptionCreate, ScheduleUpdate, StatusUpdate
from taas_availability.handlers import load, schedule
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.http.routing import Call

TAGS = ("schedule",)


@route("PUT", "/v1/providers/{id}/schedule", summary="Replace the weekly schedule (publishes a snapshot)",
       roles=OPS_OR_PROVIDER, body=ScheduleUpdate, response=ProviderRead, tags=TAGS)
async def put_schedule(call: Call) -> ProviderRead:
    return await schedule.put_schedule(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                       provider_id(call), call.body, datetime.now(UTC))


@route("POST", "/v1/providers/{id}/exceptions", summary="Add a dated exception (publishes a snapshot)",
       roles=OPS_OR_PROVIDER, body=ExceptionCreate, response=ExceptionRead, status=201, tags=TAGS,
       extra_responses={409: "Too many open exceptions, or the provider is offboarded"})
async def add_exception(call: Call) -> ExceptionRead:
    return await schedule.add_exception(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                        provider_id(call), call.body, datetime.now(UTC))


@route("DELETE", "/v1/providers/{id}/exceptions/{exception_id}", summary="Remove a dated exception (publishes a snapshot)",
       roles=OPS_OR_PROVIDER, status=204, tags=TAGS)
async def delete_exception(call: Call) -> web.Response:
    await schedule.delete_exception(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                    provider_id(call), call.path["exception_id"], datetime.now(UTC))
    return web.Response(status=204)


@route("PUT", "/v1/providers/{id}/status", summary="Set active, paused, on call until T, or offboarded (ops)",
       roles=OPS_OR_PROVIDER, body=StatusUpdate, response=ProviderRead, tags=TAGS,
       extra_responses={403: "Only ops may offboard"})
async def set_status(call: Call) -> ProviderRead:
    return await schedule.set_status(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                     provider_id(call), call.body, datetime.now(UTC))


@route("GET", "/v1/providers/{id}/load", summary="Active engagements and remaining capacity", roles=OPS_OR_PROVIDER,
       response=LoadRead, tags=("load",))
async def get_load(call: Call) -> LoadRead:
    return await load.get_load(call.request.app[POOL], call.principal, provider_id(call), datetime.now(UTC))
